// PostGraphile v5 for the side-by-side benchmark (bench/postgraphile.sh): the amber preset over
// the `public` schema of the database medgraph seeded, production mode (no GraphiQL, no
// explain, no watch), the same pool size as medgraph's (database.max_connections = 16).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.PGL_POOL ?? 16) },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PGL_PORT ?? 15678),
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};

export default preset;
