# The shell every page shares: navigation, footer, pager, totals, error pages.

nav-catalogue = Catalogue
nav-cart = Cart
nav-my-account = My Account
nav-customers = Customers
nav-admin = Admin
nav-sign-in = Sign in
nav-sign-out = Sign out
shell-logo-alt = { $company } logo
shell-skip-to-content = Skip to content
shell-main-navigation = Main
footer-support = Support:
footer-language = Language:

pager-first = « First
pager-previous = ← Previous
pager-next = Next →
pager-last = Last »
pager-pages = Pages
pager-label = Page { $page } of { $pages } · { $total } in all
pagination-count = { $count ->
    [one] { $count } item
   *[other] { $count } items
}

totals-subtotal-net = Subtotal (net)
totals-vat = VAT ({ $rate }%)
totals-total = Total

error-title-not-found = Page not found
error-title-forbidden = Not allowed
error-title-too-many = Too many attempts
error-title-unavailable = Temporarily unavailable
error-title-internal = Something went wrong
error-title-refused = We could not accept that request
error-code = Error { $code }
error-back-to-catalogue = Back to the catalogue
error-not-found = The page you asked for does not exist or is not yours to see.
error-sign-in-first = Please sign in first.
error-internal = Something went wrong on our side. Please try again in a moment.
error-database-unreachable = We cannot reach our database right now. Nothing you sent was lost or half-saved; please try again in a moment.
error-request-not-accepted = The request was not accepted.
error-csrf-refused = This form has expired or did not come from this site. Go back, reload the page and try again.
error-storefront-unavailable = The { $company } storefront is temporarily unavailable. Please try again later.
second-factor-required-first = Your administrator requires a second factor: set up an authenticator app first.

preferences-title = Language and time zone
preferences-intro = Choose the language of the pages and e-mails, and the time zone dates are shown in.
preferences-language = Language
preferences-language-browser = The browser's language
preferences-time-zone = Time zone
preferences-time-zone-brand = The storefront's ({ $zone })
preferences-now = It is now { $now } in this time zone.
preferences-save = Save
preferences-back = Back to My Account
preferences-saved = Language and time zone saved.
preferences-unknown-language = Choose one of the languages offered.
preferences-unknown-time-zone = Choose one of the time zones offered.
