// Real tools against a running medgraph (`serve --demo`), as CI runs them (`tests/browser/check.sh`
// starts the server and this script in a network namespace with only the loopback interface):
//   1. GraphiQL in headless Chromium: loads with no request leaving 127.0.0.1, runs the sample
//      query, and its documentation pane lists the root `Query` type;
//   2. /docs (Redoc) in headless Chromium: renders the five dialects, offline;
//   3. graphql-js's own introspection query (every option on) builds a client schema;
//   4. the graphql-http audit suite: 0 errors, 0 warnings;
//   5. Apollo Client's persisted-queries link: the hash first, the text once, then the hash alone.
// Screenshots go to $ARTIFACTS (default target/browser). Exits non-zero on the first failure.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';
import { buildClientSchema, getIntrospectionQuery, validateSchema } from 'graphql';
import { auditServer } from 'graphql-http';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const BASE = process.env.MEDGRAPH_URL ?? 'http://127.0.0.1:8080';
const ARTIFACTS = process.env.ARTIFACTS ?? 'target/browser';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
mkdirSync(ARTIFACTS, { recursive: true });

let passed = 0;
let failed = 0;
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${error?.stack ?? error}`);
  }
}

function isLocal(url) {
  if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return true;
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

async function withPage(fn) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const foreign = [];
    const pageErrors = [];
    page.on('request', (request) => {
      if (!isLocal(request.url())) foreign.push(request.url());
    });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await fn(page);
    assert.deepEqual(foreign, [], `requests left the machine: ${foreign.join(', ')}`);
    assert.deepEqual(pageErrors, [], `the page threw: ${pageErrors.join('; ')}`);
  } finally {
    await browser.close();
  }
}

await check('GraphiQL loads offline, runs the sample query and documents Query', async () => {
  await withPage(async (page) => {
    await page.goto(`${BASE}/graphql`, { waitUntil: 'load' });
    await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
    // The schema arrives by introspection; the docs button is enabled once it has.
    await page.click('.graphiql-execute-button');
    const result = page.locator('.graphiql-response .CodeMirror-code');
    await result.filter({ hasText: '"totalCount"' }).waitFor({ timeout: 30_000 });
    const text = await result.innerText();
    assert.match(text, /"posts"/);
    assert.doesNotMatch(text, /"errors"/);
    await page.click('[aria-label="Show Documentation Explorer"]');
    const explorer = page.locator('.graphiql-doc-explorer');
    await explorer.getByText('Query', { exact: true }).first().waitFor({ timeout: 30_000 });
    await explorer.getByText('Query', { exact: true }).first().click();
    await explorer.getByText('posts', { exact: true }).first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql.png') });
  });
});

await check('/docs renders the REST dialects offline', async () => {
  await withPage(async (page) => {
    await page.goto(`${BASE}/docs`, { waitUntil: 'load' });
    await page.waitForSelector('.menu-content', { timeout: 30_000 });
    const menu = page.locator('.menu-content');
    for (const dialect of ['forum', 'volunteer', 'medassist', 'social', 'counseling']) {
      await menu.getByText(dialect, { exact: false }).first().waitFor({ timeout: 10_000 });
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs.png') });
  });
});

await check("graphql-js's introspection query (all options) builds the schema", async () => {
  const query = getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  });
  const response = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, operationName: 'IntrospectionQuery' }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body.errors));
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  const schema = buildClientSchema(body.data);
  assert.deepEqual(validateSchema(schema), []);
  assert.equal(schema.getQueryType()?.name, 'Query');
  assert.ok(schema.getMutationType(), 'a mutation type');
  assert.ok(schema.getSubscriptionType(), 'a subscription type');
  console.log(`     ${Object.keys(schema.getTypeMap()).length} types`);
});

await check('graphql-http audit: 0 errors, 0 warnings', async () => {
  const results = await auditServer({ url: `${BASE}/graphql` });
  // `notice` marks a MAY of the spec that the server chose not to do; warnings are SHOULDs.
  for (const r of results.filter((r) => r.status !== 'ok')) {
    console.log(`     ${r.status} ${r.id} ${r.name}: ${r.reason ?? ''}`);
  }
  const count = (status) => results.filter((r) => r.status === status).length;
  console.log(
    `     ${count('ok')} ok, ${count('notice')} notices, ${count('warn')} warnings, ${count('error')} errors of ${results.length}`,
  );
  assert.equal(count('error'), 0, 'errors');
  assert.equal(count('warn'), 0, 'warnings');
});

await check("Apollo Client's persisted-queries link", async () => {
  const sent = [];
  const recordingFetch = async (url, options) => {
    sent.push(JSON.parse(options.body));
    return fetch(url, options);
  };
  const sha256 = (text) => createHash('sha256').update(text).digest('hex');
  const client = () =>
    new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([
        new PersistedQueryLink({ sha256 }),
        new HttpLink({ uri: `${BASE}/graphql`, fetch: recordingFetch }),
      ]),
    });
  // A query no other check sent, so the server has not seen it.
  const marker = `apq${Date.now()}`;
  const query = gql`query ${marker} { posts(first: 2) { totalCount nodes { title } } }`;
  const first = await client().query({ query });
  assert.ok(first.data.posts.totalCount >= 0);
  assert.equal(sent.length, 2, 'the hash alone, then the hash with the text');
  assert.equal(sent[0].query, undefined);
  assert.ok(sent[0].extensions.persistedQuery.sha256Hash);
  assert.ok(sent[1].query);
  // A second client (another browser, say) sends the hash alone and is answered.
  const second = await client().query({ query });
  assert.deepEqual(second.data, first.data);
  assert.equal(sent.length, 3);
  assert.equal(sent[2].query, undefined);
});

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
