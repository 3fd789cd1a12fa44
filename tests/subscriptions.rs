//! The notifications subscription over graphql-transport-ws on a real socket (in-process bus on
//! SQLite, LISTEN/NOTIFY on PostgreSQL).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::app;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(addr: std::net::SocketAddr) -> Socket {
    let mut request = format!("ws://{addr}/graphql")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
}

/// Serves the app on a real loopback socket.
async fn serve(
    app: &crate::common::TestApp,
) -> (
    std::net::SocketAddr,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    (
        addr,
        tokio::spawn(async move { axum::serve(listener, router).await }),
    )
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
}

async fn subscribe(socket: &mut Socket, query: &str) {
    send(
        socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": query}}),
    )
    .await;
}

async fn next_json(socket: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .ok()??
            .ok()?;
        match message {
            Message::Text(text) => return serde_json::from_str(&text).ok(),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

#[tokio::test]
async fn notifications_arrive_over_websocket_for_their_owner_only() {
    let app = app().await;
    let (alice, token) = app.user_with_token("alice").await;
    let (bob, _) = app.user_with_token("bob").await;
    let (addr, server) = serve(&app).await;

    let mut socket = connect(addr).await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}}),
    )
    .await;
    assert_eq!(
        next_json(&mut socket).await.unwrap()["type"],
        "connection_ack"
    );
    subscribe(
        &mut socket,
        "subscription { notifications { title body kind read } }",
    )
    .await;

    let db = app.state.services.db.clone();
    let bus = app.state.services.bus.clone();
    let publisher = tokio::spawn(async move {
        // Until the subscription is registered, earlier events have nobody to reach.
        for i in 0..50 {
            medgraph::domain::notifications::notify(
                &db,
                bus.as_ref(),
                bob,
                "system",
                "for bob",
                "x",
            )
            .await
            .unwrap();
            medgraph::domain::notifications::notify(
                &db,
                bus.as_ref(),
                alice,
                "system",
                &format!("for alice {i}"),
                "y",
            )
            .await
            .unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let message = next_json(&mut socket).await.unwrap();
    publisher.abort();
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["id"], "1");
    let note = &message["payload"]["data"]["notifications"];
    assert!(
        note["title"].as_str().unwrap().starts_with("for alice"),
        "{note}"
    );
    assert_eq!(note["read"], false);
    server.abort();
}

#[tokio::test]
async fn subscriptions_need_a_valid_token() {
    let app = app().await;
    let (addr, server) = serve(&app).await;

    // A forged token: the connection is refused.
    let mut socket = connect(addr).await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"token": "forged"}}),
    )
    .await;
    assert!(next_json(&mut socket).await.is_none(), "connection closed");

    // Anonymous: connected, but the subscription answers UNAUTHENTICATED.
    let mut socket = connect(addr).await;
    send(&mut socket, json!({"type": "connection_init"})).await;
    assert_eq!(
        next_json(&mut socket).await.unwrap()["type"],
        "connection_ack"
    );
    subscribe(&mut socket, "subscription { notifications { title } }").await;
    let message = next_json(&mut socket).await.unwrap();
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["payload"]["data"], Value::Null);
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    server.abort();
}

/// Two server processes on one PostgreSQL database: an event published by one reaches a
/// subscriber of the other (LISTEN/NOTIFY). On SQLite (one process by design) the bus is
/// in-process and this test checks that it is.
#[tokio::test]
async fn events_cross_server_processes_on_postgres() {
    let first = app().await;
    if !crate::common::on_postgres() {
        let mut stream = first.state.services.bus.subscribe("t");
        first
            .state
            .services
            .bus
            .publish("t", json!(1))
            .await
            .unwrap();
        let got = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
        assert_eq!(got.unwrap(), Some(json!(1)));
        return;
    }
    let second = crate::common::app_sharing(&first).await;
    let mut stream = second.state.services.bus.subscribe("topic:x");
    let bus = first.state.services.bus.clone();
    let publisher = tokio::spawn(async move {
        // LISTEN is registered before `subscribe` returns, but give the first NOTIFY a retry.
        for i in 0..50 {
            bus.publish("topic:other", json!({"n": -1})).await.unwrap();
            bus.publish("topic:x", json!({"n": i})).await.unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let got = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .unwrap()
        .unwrap();
    publisher.abort();
    assert!(got["n"].as_i64().unwrap() >= 0, "{got}");
}
