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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let mut socket = connect(addr).await;
    socket
        .send(Message::text(
            json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}})
                .to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_json(&mut socket).await.unwrap()["type"],
        "connection_ack"
    );
    socket
        .send(Message::text(
            json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { notifications { title body kind read } }"}})
                .to_string(),
        ))
        .await
        .unwrap();

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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    // A forged token: the connection is refused.
    let mut socket = connect(addr).await;
    socket
        .send(Message::text(
            json!({"type": "connection_init", "payload": {"token": "forged"}}).to_string(),
        ))
        .await
        .unwrap();
    assert!(next_json(&mut socket).await.is_none(), "connection closed");

    // Anonymous: connected, but the subscription answers UNAUTHENTICATED.
    let mut socket = connect(addr).await;
    socket
        .send(Message::text(
            json!({"type": "connection_init"}).to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(
        next_json(&mut socket).await.unwrap()["type"],
        "connection_ack"
    );
    socket
        .send(Message::text(
            json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { notifications { title } }"}})
                .to_string(),
        ))
        .await
        .unwrap();
    let message = next_json(&mut socket).await.unwrap();
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["payload"]["data"], Value::Null);
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    server.abort();
}
