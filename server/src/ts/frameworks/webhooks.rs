//! Webhook receivers: handlers whose route or file says webhook, or that
//! read a provider's signature header.

use super::handlers::Handler;
use crate::ts::ast;
use crate::ts::kind::KindExt;

/// Signature headers and the provider that sends each (lower case).
pub const SIGNATURE_HEADERS: &[(&str, &str)] = &[
    ("stripe-signature", "stripe"),
    ("svix-id", "svix"),
    ("svix-signature", "svix"),
    ("webhook-signature", "standard-webhooks"),
    ("x-hub-signature-256", "github"),
    ("x-hub-signature", "github"),
    ("x-github-event", "github"),
    ("paddle-signature", "paddle"),
    ("x-shopify-hmac-sha256", "shopify"),
    ("x-slack-signature", "slack"),
    ("x-twilio-signature", "twilio"),
    ("x-razorpay-signature", "razorpay"),
    ("x-paystack-signature", "paystack"),
    ("x-signature", "lemonsqueezy"),
    ("x-cal-signature-256", "cal"),
    ("x-resend-signature", "resend"),
    ("x-polar-signature", "polar"),
];

/// Provider names recognised in a route or file path (`/webhooks/stripe`).
const PROVIDERS: &[&str] = &[
    "stripe",
    "clerk",
    "svix",
    "github",
    "paddle",
    "shopify",
    "slack",
    "twilio",
    "razorpay",
    "paystack",
    "lemonsqueezy",
    "resend",
    "polar",
    "supabase",
    "discord",
    "paypal",
    "mollie",
    "braintree",
    "chargebee",
];

/// What names a payment sender in a file's text or path (a rule's prefilter
/// triggers): the [`PAYMENT_PROVIDERS`], then Lemon Squeezy's bare
/// `x-signature` header.
pub const PAYMENT_TRIGGERS: &[&str] = &[
    "stripe",
    "paddle",
    "shopify",
    "razorpay",
    "paystack",
    "lemonsqueezy",
    "polar",
    "paypal",
    "mollie",
    "braintree",
    "chargebee",
    "x-signature",
];

/// Senders of payment events (orders paid, subscriptions, invoices, payouts).
pub const PAYMENT_PROVIDERS: &[&str] = match PAYMENT_TRIGGERS.split_last() {
    Some((_, providers)) => providers,
    None => &[],
};

/// Whether `provider` (as [`Webhook::provider`] names it) sends payment events.
pub fn is_payment_provider(provider: &str) -> bool {
    PAYMENT_PROVIDERS.contains(&provider)
}

/// A webhook receiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    /// The sender, when the path or a signature header names it.
    pub provider: Option<&'static str>,
    /// Recognised by a signature header read in the handler (rather than by
    /// its path alone).
    pub by_header: bool,
}

/// The provider whose signature header is `name` (case-insensitive).
pub fn signature_header(name: &str) -> Option<&'static str> {
    let l = name.to_ascii_lowercase();
    SIGNATURE_HEADERS
        .iter()
        .find(|(h, _)| *h == l)
        .map(|(_, p)| *p)
}

/// The provider whose signature header a string under `node` names
/// (`req.headers['stripe-signature']`, `headers.get('svix-id')`).
pub fn signature_header_in(node: tree_sitter::Node<'_>, src: &str) -> Option<&'static str> {
    let mut header = None;
    ast::visit(node, &mut |n| {
        if header.is_some() {
            return false;
        }
        if n.kind_name() == "string" {
            header = ast::string_value(n, src).and_then(|v| signature_header(&v));
            return false;
        }
        true
    });
    header
}

/// A provider named by a segment of a route or file path (`/webhooks/stripe`,
/// `api.paddle-webhook.ts`), lower case.
pub fn provider_in_path(path: &str) -> Option<&'static str> {
    let l = path.to_ascii_lowercase();
    PROVIDERS.iter().copied().find(|v| {
        l.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|seg| seg == *v)
    })
}

/// How a receiver verifies a provider's signature, for messages.
pub fn verification_example(provider: Option<&str>) -> &'static str {
    match provider {
        Some("stripe") | None => "`stripe.webhooks.constructEvent(rawBody, signature, secret)`",
        Some("svix" | "clerk" | "resend") => "svix's `new Webhook(secret).verify(rawBody, headers)`",
        Some("standard-webhooks") => "`new Webhook(secret).verify(rawBody, headers)` (standard-webhooks)",
        Some("github") => "`webhooks.verify(rawBody, signature)` (@octokit/webhooks)",
        Some("paddle") => "`paddle.webhooks.unmarshal(rawBody, secret, signature)`",
        Some("polar") => "`validateEvent(rawBody, headers, secret)` (@polar-sh/sdk/webhooks)",
        Some("twilio") => "`twilio.validateRequest(authToken, signature, url, params)`",
        Some("paypal") => "PayPal's `POST /v1/notifications/verify-webhook-signature` with the transmission headers",
        Some("discord") => "`verifyKey(rawBody, signature, timestamp, publicKey)` (discord-interactions)",
        Some(_) => "an HMAC of the raw body with the signing secret, compared with `crypto.timingSafeEqual`",
    }
}

/// `handler` as a webhook receiver: its route path or the file's path
/// (`file`, `/`-separated) contains `webhook`, or its body names a
/// provider's signature header in a string.
pub fn webhook_of(handler: &Handler<'_>, src: &str, file: &str) -> Option<Webhook> {
    let route = handler.path.as_deref().unwrap_or("").to_ascii_lowercase();
    let file_l = file.to_ascii_lowercase();
    let header = signature_header_in(handler.node, src);
    let by_path = route.contains("webhook") || file_l.contains("webhook");
    if !by_path && header.is_none() {
        return None;
    }
    Some(Webhook {
        provider: header
            .or_else(|| provider_in_path(&route))
            .or_else(|| provider_in_path(&file_l)),
        by_header: header.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ts::frameworks::testing::with_first_handler;

    fn webhook(src: &str, file: &str) -> Option<Webhook> {
        with_first_handler(src, file, |h, s| webhook_of(h, s, file))
    }

    #[test]
    fn by_path_and_by_header() {
        let w = webhook(
            "export async function POST(req) { const body = await req.text(); }",
            "app/api/webhooks/stripe/route.ts",
        );
        assert_eq!(
            w,
            Some(Webhook {
                provider: Some("stripe"),
                by_header: false
            })
        );
        let w = webhook(
            "export async function POST(req) {\n  const id = req.headers.get('svix-id');\n}\n",
            "app/api/clerk/route.ts",
        );
        assert_eq!(
            w,
            Some(Webhook {
                provider: Some("svix"),
                by_header: true
            })
        );
        let w = webhook(
            "router.post('/hooks/webhook', (req, res) => { req.headers['X-Hub-Signature-256']; });",
            "src/server.ts",
        );
        assert_eq!(
            w,
            Some(Webhook {
                provider: Some("github"),
                by_header: true
            })
        );
        let w = webhook(
            "export async function POST(req) {}",
            "app/api/webhook/route.ts",
        );
        assert_eq!(
            w,
            Some(Webhook {
                provider: None,
                by_header: false
            })
        );
    }

    #[test]
    fn near_misses() {
        // an ordinary route; a provider named without webhook; a header in a comment
        assert_eq!(
            webhook(
                "export async function POST(req) { await stripe.customers.create(); }",
                "app/api/stripe/checkout/route.ts"
            ),
            None
        );
        assert_eq!(
            webhook(
                "export async function POST(req) {\n  // reads stripe-signature later\n}\n",
                "app/api/pay/route.ts"
            ),
            None
        );
        assert_eq!(signature_header("x-request-id"), None);
    }

    #[test]
    fn provider_from_path_and_its_verification() {
        assert_eq!(
            provider_in_path("app/routes/api.paddle-webhook.ts"),
            Some("paddle")
        );
        assert_eq!(
            provider_in_path("src/rest/webhooks/polar.ts"),
            Some("polar")
        );
        assert_eq!(provider_in_path("src/webhooks/handler.ts"), None);
        assert_eq!(
            provider_in_path("app/api/paypal/webhook/route.ts"),
            Some("paypal")
        );
        assert!(is_payment_provider("paypal") && is_payment_provider("stripe"));
        assert!(!is_payment_provider("svix") && !is_payment_provider("github"));
        assert!(!is_payment_provider("x-signature"));
        // every payment header names its provider or is a trigger itself
        for (header, provider) in SIGNATURE_HEADERS {
            if is_payment_provider(provider) {
                assert!(
                    PAYMENT_TRIGGERS.iter().any(|t| header.contains(t)),
                    "{header}"
                );
            }
        }
        assert_eq!(
            provider_in_path("src/stripey/webhook.ts"),
            None,
            "whole segments only"
        );
        assert!(verification_example(Some("paddle")).contains("unmarshal"));
        assert!(verification_example(None).contains("constructEvent"));
        assert!(verification_example(Some("shopify")).contains("timingSafeEqual"));
    }
}
