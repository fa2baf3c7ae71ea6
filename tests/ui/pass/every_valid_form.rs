use actix_web::{delete, get, head, patch, post, put, route, routes, web, App, HttpResponse};
use cors_runtime::cors;

/// Every key at once.
#[cors(
    origins = ["https://app.example.com", "https://*.partner.example.org"],
    credentials,
    methods = ["POST"],
    allow_headers = ["Content-Type", "Authorization", "X-Requested-With"],
    expose_headers = ["X-Request-Id", "ETag"],
    max_age = 600,
)]
#[post("/api/items")]
async fn create_item() -> HttpResponse {
    HttpResponse::Created().finish()
}

// Loopback origins with credentials, custom app schemes, any-port patterns.
#[cors(
    origins = [
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:5173",
        "http://app.localhost",
        "http://*.dev.localhost:*",
        "tauri://localhost",
        "capacitor://localhost",
    ],
    credentials = true,
)]
#[get("/api/me")]
async fn me() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// IP origins, punycode, ports, explicit `credentials = false`, header wildcards without credentials.
#[cors(
    origins = ["http://192.0.2.10", "http://[2001:db8::1]:8080", "https://xn--bcher-kva.example", "https://example.com:8443"],
    credentials = false,
    allow_headers = ["*", "Authorization"],
    expose_headers = ["*"],
    max_age = 0,
)]
#[put("/api/items/{id}")]
async fn replace_item(_id: web::Path<u32>) -> HttpResponse {
    HttpResponse::NoContent().finish()
}

// The public wildcard.
#[cors(origins = ["*"])]
#[get("/api/public")]
async fn public() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// `#[route]` with several methods, route options kept, a subset of methods allowed.
#[cors(origins = ["https://app.example.com"], methods = ["PATCH"], max_age = 7200)]
#[route("/api/things", method = "PATCH", method = "DELETE", name = "things", wrap = "actix_web::middleware::DefaultHeaders::new()")]
async fn things() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// A custom method, the other route macros, and a path-qualified attribute.
#[cors(origins = ["https://app.example.com"])]
#[route("/api/search", method = "QUERY")]
async fn search() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[delete("/api/items/{id}")]
async fn delete_item() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[patch("/api/items/{id}")]
async fn patch_item() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

#[cors(origins = ["https://app.example.com"])]
#[head("/api/items")]
async fn head_items() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[actix_web::get("/api/legacy")]
async fn legacy() -> Result<HttpResponse, actix_web::Error> {
    Ok(HttpResponse::Ok().finish())
}

// The opt-out key, for a plain-http origin with credentials.
#[cors(origins = ["http://intranet.example.com"], credentials, dangerously_allow_insecure_origins = true)]
#[get("/api/intranet")]
async fn intranet() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// Echoing the requested headers with credentials; `Authorization` still listed by name.
#[cors(
    origins = ["https://app.example.com"],
    credentials,
    methods = ["PUT"],
    allow_headers = ["Authorization"],
    dangerously_echo_request_headers,
)]
#[put("/api/meta")]
async fn meta() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// The echo switched off explicitly: no warning, whatever the rest of the policy.
#[cors(origins = ["*"], allow_headers = ["*"], dangerously_echo_request_headers = false)]
#[get("/api/plain")]
async fn plain() -> HttpResponse {
    HttpResponse::Ok().finish()
}

// `#[routes]`: several routes, one policy; each route's preflight names only its own methods.
#[cors(origins = ["https://app.example.com"], methods = ["PUT"], allow_headers = ["X-Token"])]
#[routes]
#[get("/api/multi")]
#[put("/api/multi/{id}", name = "multi_item")]
async fn multi() -> HttpResponse {
    HttpResponse::Ok().finish()
}

fn main() {
    let _app = App::new()
        .service(create_item)
        .service(me)
        .service(replace_item)
        .service(public)
        .service(things)
        .service(search)
        .service(delete_item)
        .service(patch_item)
        .service(head_items)
        .service(legacy)
        .service(multi)
        .service(meta)
        .service(plain)
        .service(web::scope("/v1").service(intranet));
}
