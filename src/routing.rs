//! What each route is, as the router's table declares it, for the middleware that treat
//! routes differently: the page context (brand, session, CSRF token) skips assets, and the
//! CSRF guard skips assets and the pages third parties call cross-site. The router marks
//! every request with its route's [`RouteProps`] before either runs.

/// What a route answers with. The route-walking test visits every route of each kind
/// and checks the brand on pages and actions, so a route cannot skip the brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// GET renders a branded HTML page (the same path may also take a form POST).
    Page,
    /// POST only: a form action answering with a redirect or a branded page.
    Action,
    /// Not a page (static files, images, probes, the API and its token endpoint): never
    /// HTML, no brand, no session work; what it accepts it authenticates itself.
    Asset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RouteProps {
    pub kind: RouteKind,
    /// A page a third party sends the browser to cross-site (the WebPay return, an OIDC
    /// callback): no form token; its own state or token is its protection.
    pub cross_site: bool,
}

impl RouteProps {
    /// What a request no route matched is: a page (the branded 404), checked like any.
    pub(crate) const UNMATCHED: RouteProps = RouteProps { kind: RouteKind::Page, cross_site: false };

    /// No brand, no session work.
    pub(crate) fn is_bare(self) -> bool {
        self.kind == RouteKind::Asset
    }

    /// Not subject to the CSRF form check.
    pub(crate) fn csrf_exempt(self) -> bool {
        self.kind == RouteKind::Asset || self.cross_site
    }
}

/// The route's properties for a request (marked by the router; unmatched otherwise).
pub(crate) fn props_of<B>(request: &axum::http::Request<B>) -> RouteProps {
    request.extensions().get::<RouteProps>().copied().unwrap_or(RouteProps::UNMATCHED)
}
