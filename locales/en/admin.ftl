# The provider's admin area (group D): menu, accounts, users, sign-in security, security events.

admin-nav-label = Admin
admin-nav-accounts = Accounts
admin-nav-resellers = Resellers
admin-nav-users = Users and lockouts
admin-nav-security = Sign-in security
admin-nav-identity-providers = Identity providers
admin-nav-authentication = Authentication options
admin-nav-security-events = Security events
admin-nav-audit = Audit log
admin-nav-brands = Brands
admin-nav-payments = Payments
admin-nav-catalogue = Catalogue
admin-nav-prices = Prices
admin-nav-attention = Orders needing attention
admin-nav-usage = Usage import
admin-nav-billing = Billing run
admin-nav-jobs = Jobs
admin-nav-outbox = Outbox
admin-nav-reports = Reports
admin-nav-api-clients = API clients

admin-save = Save
admin-col-code = Code
admin-col-email = E-mail
admin-col-name = Name
admin-col-status = Status
admin-col-action = Action
admin-col-actions = Actions
admin-col-when = When
admin-col-user = User
admin-col-order = Order
admin-col-amount = Amount
admin-col-reason = Reason
admin-col-total = Total
admin-test-tag = TEST

admin-tier-provider = Provider
admin-tier-reseller = Reseller
admin-tier-customer = Customer
admin-role-customer-user = Customer user
admin-role-customer-admin = Customer admin
admin-role-reseller-admin = Reseller admin
admin-role-provider-admin = Provider admin

admin-accounts-title = Admin · Accounts
admin-accounts-account = Account
admin-accounts-type = Type
admin-accounts-branding = Branding
admin-accounts-branding-enabled = Enabled

admin-users-title = Admin · Users
admin-users-locked-until = Locked until { $until }
admin-users-active = Active
admin-users-unlock = Unlock
admin-users-unlock-label = Unlock { $email }
admin-users-reset = Reset second factors
admin-users-reset-label = Reset the second factors of { $email }
admin-users-role = Role
admin-users-unlocked = { $email } can sign in again.

admin-security-title = Admin · Sign-in security
admin-security-max-failed = Failed password attempts before an account is locked (3–25)
admin-security-minutes = Minutes an account stays locked (1–1440)
admin-security-max-not-number = Failed attempts before lockout must be a whole number.
admin-security-minutes-not-number = Lockout time must be a whole number of minutes.
admin-security-max-out-of-range = Failed attempts before lockout must be between 3 and 25 (you entered { $value }).
admin-security-minutes-out-of-range = Lockout time must be between 1 and 1440 minutes (you entered { $value }).
admin-security-saved = Sign-in security saved.

admin-events-title = Admin · Security events
admin-events-empty = No security events yet.
admin-events-event = Event
admin-events-detail = Detail
admin-events-address = Address
admin-event-sign-in = sign in
admin-event-sign-in-failed = sign in failed
admin-event-locked-out = locked out
admin-event-sign-out = sign out
admin-event-unlocked = unlocked
admin-event-password-changed = password changed
admin-event-settings-changed = auth settings changed
admin-event-idp-sign-in = idp sign in
admin-event-idp-sign-in-failed = idp sign in failed
admin-event-linked = identity linked
admin-event-unlinked = identity unlinked
admin-event-link-refused = identity link refused
admin-event-registered = registered by idp
admin-event-reauthenticated = reauthenticated
admin-event-other-sessions-ended = other sessions ended
admin-event-session-ended = session signed out
admin-event-password-set = password set
admin-event-password-removed = password removed
admin-event-authenticator-connected = authenticator app connected
admin-event-authenticator-removed = authenticator app removed
admin-event-recovery-codes-renewed = recovery codes renewed
admin-event-recovery-code-used = recovery code used
admin-event-second-factor-failed = second factor failed
admin-event-second-factors-reset = second factors reset
admin-event-passkey-added = passkey added
admin-event-passkey-removed = passkey removed
admin-event-passkey-clone-suspected = passkey clone suspected

# Admin → Orders needing attention.
admin-attention-title = Admin · Orders needing attention
admin-attention-nothing = Nothing needs attention: every payment is settled.
admin-attention-retry = Retry
admin-attention-refund-link = Refund…
admin-attention-refund-in-full = Refund { $amount } in full through WebPay
admin-attention-refund = Refund
admin-attention-checked-in-portal = I checked it in Transbank's portal
admin-attention-mark-checked = Mark as checked
admin-attention-check-with-webpay = Check with WebPay
admin-attention-refund-lost = WebPay's answer was lost. It counts as refunded until WebPay's status settles it; its credit invoice follows then.
admin-attention-refund-lost-expired = WebPay's answer was lost and WebPay no longer answers status for this payment (7 days). Look it up in Transbank's portal and record what it shows.
admin-attention-portal-shows = Transbank's portal shows
admin-attention-was-refunded = it was refunded
admin-attention-was-not-refunded = it was not refunded
admin-attention-record = Record
admin-attention-orders-heading = Paid orders not set up
admin-attention-orders-intro = The customer paid, but the order's subscriptions could not be created (none were). Fix the cause, then Retry; or refund the order.
admin-attention-paid = Paid
admin-attention-transactions-heading = WebPay payments to refund or check
admin-attention-webpay-order = WebPay order
admin-attention-refunds-heading = Refunds being verified
admin-attention-asked = Asked
admin-attention-back-to-payments = ← Payments
admin-attention-retried = Order { $number } is set up: its subscriptions were created.
admin-attention-tick-to-refund = Tick the confirmation to refund.
admin-attention-tick-to-mark = Tick the confirmation to mark it as checked.
admin-attention-choose-outcome = Choose what Transbank's portal shows: refunded or not.
admin-attention-tick-to-record = Tick the confirmation to record it.

# Admin → Billing run.
admin-billing-title = Admin · Billing run
admin-billing-see-progress = See its progress
admin-billing-intro = Issues one debit invoice per account for a month that has ended: licences and add-ons (prorated for partial months, annual ones in the month their term year starts), Azure plan usage for the calendar month, legacy Azure usage up to each account's CSP cut-off day, minimum-commitment top-ups unless a ramp-up waives them, and discounts. Accounts already billed for the month are left alone, so running it again adds nothing. The run goes on in the background: its page shows its progress, and Admin → Jobs lists it.
admin-billing-month = Month (YYYY-MM)
admin-billing-run = Run billing
admin-billing-vat = VAT
admin-billing-vat-intro = List prices are net. VAT is added as its own line on carts, orders, invoices and receipts, at this rate, rounded half up to the currency's smallest unit (the peso). A change applies to carts, orders and invoices from now on; placed orders and issued invoices keep their rate.
admin-billing-vat-rate = VAT rate (%)
admin-billing-save-vat = Save VAT rate
admin-billing-bad-vat = The VAT rate is a percentage between 0 and 100, such as 19 or 10.5.
admin-billing-vat-set = The VAT rate is now { $rate }.
admin-billing-bad-period = “{ $shown }” is not a billing period: write the month as YYYY-MM, for example 2026-10.
admin-billing-not-ended = { $period } can be billed once it has ended, from { $from }.
admin-job-busy = A billing run for { $period } is already under way (job { $job }): wait for it to finish.

# Admin → Catalogue.
admin-catalogue-title = Catalogue
admin-catalogue-new-product = New product
admin-catalogue-empty = There are no products yet: create the first one.
admin-catalogue-product = Product
admin-catalogue-kind = Kind
admin-catalogue-vendor = Vendor
admin-catalogue-family = Family
admin-catalogue-cycle-and-term = Cycle and term
admin-catalogue-subscriptions = Subscriptions
admin-kind-license-subscription = Licence subscription
admin-kind-consumption = Consumption
admin-kind-perpetual-license = Perpetual licence
admin-kind-software-subscription = Software subscription
admin-kind-reserved-instance = Reserved instance
admin-kind-addon = Add-on
admin-family-other = Other
admin-cycle-monthly = Monthly
admin-cycle-annual = Annual
admin-cycle-one-time = One-time
admin-cycle-reservation = Reservation: 1 or 3 years
admin-cycle-and-term = { $cycle } · { $months }-month term
admin-product-field-code = Code
admin-product-field-name = Name
admin-product-field-vendor = Vendor
admin-product-field-family = Family
admin-product-field-usage-family = Usage family
admin-product-field-kind = Kind
admin-product-field-billing-cycle = Billing cycle
admin-product-field-term = Term
admin-product-field-minimum-commitment = Minimum commitment
admin-product-field-base-product = Base product
admin-product-field-reservation-types = Reservation types
admin-product-field-scopes = Scopes
admin-product-field-regions = Regions
admin-product-field-ri-reservation-type = Preselected reservation type
admin-product-field-ri-term = Preselected term
admin-product-field-ri-scope = Preselected scope
admin-product-field-ri-region = Preselected region
admin-product-field-description = Description
admin-product-field-confirm = Sure
admin-product-field-product = Product
admin-product-field-error = { $field }: { $message }
admin-product-published = published
admin-product-unpublished = unpublished
admin-product-years = { $years } year(s)
admin-product-none = None
admin-product-ri-legend = Reserved instance (only for that kind)
admin-product-ri-intro = What the reservation offers. Its terms (1 or 3 years) and payment plans are the ones it has prices for.
admin-product-reservation-types = Reservation types (one per line)
admin-product-regions = Regions (one per line, such as brazilsouth)
admin-product-code-label = Code (A–Z, 0–9 and -, 2 to { $max }; it cannot change later)
admin-product-code = Code:
admin-product-no-base = None (not an add-on)
admin-product-create = Create the product
admin-product-term-label = Term in months (1–{ $max })
admin-product-minimum-label = Minimum commitment per month (consumption only; in the minor unit of the subscriber's currency, blank for none)
admin-product-base-label = Base product (add-ons only; an add-on has one base product)
admin-product-usage-label = Usage family on invoices (such as Azure Plan, MS Azure, Microsoft 365)
admin-product-new-title = New product
admin-product-new-intro = A new product is unpublished: publish it once it has its prices.
admin-product-back = Back to the catalogue
admin-product-created = { $name } ({ $code }) created, unpublished.
admin-product-in-use-now = { $count ->
    [one] 1 subscription (not canceled) uses it. While any does, its kind, term and billing cycle cannot change.
   *[other] { $count } subscriptions (not canceled) use it. While any does, its kind, term and billing cycle cannot change.
}
admin-product-published-before = Published: customers see it in the
admin-product-published-link = catalogue
admin-product-published-after = and may buy it.
admin-product-unpublish = Unpublish: stop selling it
admin-product-unpublished-says = Unpublished: not in the catalogue and not sold. Subscriptions that use it keep running and billing.
admin-product-publish = Publish: sell it
admin-product-title = Product { $name }
admin-product-details = Details
admin-saved-name = Saved { $name }.
admin-product-choose-status = Choose published or unpublished.
admin-product-now-published = { $name } is published: it is sold in the catalogue.
admin-product-now-unpublished = { $name } is unpublished: no longer sold; its subscriptions keep running.

# Admin → Jobs.
admin-job-kind-billing-run = Billing run
admin-job-kind-usage-import = Usage import
admin-job-kind-price-import = Price list import
admin-job-progress-queued = Waiting for an instance to start it.
admin-job-progress-billing = { $done } of { $total } accounts done, { $issued } invoice(s) issued, { $problems ->
    [0] no problems
    [one] 1 problem
   *[other] { $problems } problems
}{ $running ->
    [yes] {" so far"}
   *[no] {""}
}.
admin-job-progress-usage = { $done } of { $total } rows done, { $issued } imported, { $problems ->
    [0] no problems
    [one] 1 problem
   *[other] { $problems } problems
}{ $running ->
    [yes] {" so far"}
   *[no] {""}
}.
admin-job-progress-prices-done = { $issued } of { $total } prices set, { $problems ->
    [0] no problems
    [one] 1 problem
   *[other] { $problems } problems
}{ $running ->
    [yes] {" so far"}
   *[no] {""}
}.
admin-job-progress-prices = { $total } prices to set, all or nothing, { $problems ->
    [0] no problems
    [one] 1 problem
   *[other] { $problems } problems
}{ $running ->
    [yes] {" so far"}
   *[no] {""}
}.
admin-job-queued = Queued
admin-job-interrupted = Interrupted: its instance stopped answering; another instance takes it over and resumes it
admin-job-running = Running
admin-job-done = Done
admin-job-failed = Failed
admin-jobs-title = Admin · Jobs
admin-jobs-job-title = { $kind } { $parameters }
admin-jobs-page-title = Admin · { $job }
admin-jobs-intro = Billing runs and imports started here run in the background: you can leave their page and come back.
admin-jobs-empty = No billing run or import has been started yet.
admin-jobs-job = Job
admin-jobs-progress = Progress
admin-jobs-started-by = Started by
admin-jobs-created = Created
admin-jobs-started = Started
admin-jobs-finished = Finished
admin-jobs-more-problems = … and { $count } more.
admin-jobs-problems = Problems
admin-jobs-invoices-issued = Invoices issued
admin-jobs-invoice = Invoice
admin-jobs-reload-note = This page reloads itself while the job runs. You can leave it: the job goes on, and Admin → Jobs lists it.
admin-jobs-all = All jobs

# Admin → Outbox.
admin-mail-password-reset = Password reset
admin-mail-email-verification = E-mail verification
admin-mail-security-notice = Security notice
admin-mail-invoice-issued = Invoice issued
admin-mail-payment-receipt = Payment receipt
admin-mail-connect-invitation = Invitation to connect
admin-mail-user-invitation = Invitation to join
admin-mail-account-approved = Account approved
admin-outbox-sent = Sent { $at }
admin-outbox-failed = Failed after { $attempts } attempts: { $reason }
admin-outbox-kept = Kept here: no SMTP server is configured
admin-outbox-retrying = Waiting to retry at { $at } ({ $attempts } attempts so far): { $reason }
admin-outbox-waiting = Waiting to be sent
admin-outbox-smtp = Mail is sent through { $server } from { $from }.
admin-outbox-no-smtp = No SMTP server is configured (--smtp-url or [smtp] url): messages are kept here and not sent.
admin-outbox-title = Admin · Outbox
admin-outbox-empty = No e-mail has been written yet.
admin-outbox-written = Written
admin-outbox-to = To
admin-outbox-subject = Subject
admin-outbox-message = Message
admin-outbox-message-title = Admin · Outbox message
admin-outbox-view-html = View the HTML part
admin-outbox-hidden = This message holds a single-use link meant for its recipient only, so its text is not shown.
admin-outbox-send-again = Send again
admin-outbox-from = From
admin-outbox-back = Back to the outbox
admin-outbox-will-resend = The message to { $to } will be sent again.
admin-outbox-not-failed = That message has not failed: nothing to send again.

# Admin → Payments.
admin-stored-secret = Stored: { $stored }. Leave empty to keep it.
admin-payments-test-demo = This gateway is Transbank's integration (test) environment: its payments are marked TEST. Under --demo they count as paid.
admin-payments-test-paid = This gateway is Transbank's integration (test) environment: its payments are marked TEST and count as paid here.
admin-payments-test-refunded = This gateway is Transbank's integration (test) environment: its payments are marked TEST, do not pay orders here, and are refunded at once.
admin-payments-title = Admin · Payments
admin-payments-commerce-code = Commercial code
admin-payments-secret = Secret key (API key secret)
admin-payments-environment = Environment
admin-payments-integration = Integration (Transbank's test host)
admin-payments-production = Production
admin-payments-other-url = Another base URL (the simulator, a proxy):
admin-payments-base-url = Base URL
admin-payments-active = Take payments online
admin-payments-count-test = Count TEST payments (Transbank's integration environment) as paid — only for a staging install
admin-payments-log = WebPay transaction log
admin-payments-test-connection = Test connection (creates a 1-peso transaction)
admin-payments-saved = The WebPay settings were saved.
admin-payments-test-works = The connection works: { $host } created a test transaction.
admin-payments-test-refused = WebPay refused the credentials (401 { $message }): check the commercial code and the secret key.
admin-payments-test-failed = The test failed: { $error }.
admin-payments-search-too-long = Search by an order number or buy order (at most 40 characters).
admin-payments-log-title = Admin · WebPay transactions
admin-payments-log-empty = No WebPay calls or returns match.
admin-payments-back = ← WebPay settings
admin-payments-search-label = Order or buy order
admin-payments-search = Search
admin-payments-buy-order = Buy order
admin-payments-call-or-return = Call or return
admin-payments-outcome = Outcome

# Admin → Resellers.
admin-resellers-status-active = Active
admin-resellers-status-suspended = Suspended
admin-resellers-status-pending = Waits for approval
admin-resellers-title = Resellers
admin-resellers-new = New reseller
admin-resellers-empty = There are no resellers yet.
admin-resellers-currency = Currency
admin-resellers-first-admin = Its first admin (invited by e-mail)
admin-resellers-create = Create the reseller
admin-resellers-created = Reseller { $name } created; its first admin was invited by e-mail.
admin-resellers-suspended-says = This reseller is suspended: its users cannot sign in and its custom host answers "temporarily unavailable". Its customers keep their service, sign in on the provider's host, and are not billed until it is reactivated.
admin-resellers-reactivate = Reactivate the reseller
admin-resellers-active-says = This reseller is active. Suspending it signs its users out and closes its storefront; its customers keep their service but are not billed while it is suspended.
admin-resellers-suspend = Suspend the reseller
admin-resellers-title-one = Reseller { $name }
admin-resellers-account-page = Account page
admin-resellers-users = Users
admin-resellers-now-suspended = { $name } is suspended.
admin-resellers-now-active = { $name } is active again.

# Admin → Usage import.
admin-usage-too-large = The file is larger than { $megabytes } MB.
admin-usage-not-utf8 = The file is not UTF-8 text.
admin-usage-not-csv = The file is not CSV: { $why }
admin-usage-wrong-header = The first line must be: { $header }
admin-usage-title = Admin · Usage import
admin-usage-intro-before = A CSV file whose first line is
admin-usage-intro-after = subscription is the subscription's external id; amount and cost are whole pesos; reference is unique per row, so importing a file twice adds nothing. The import runs in the background: its page shows its progress, and Admin → Jobs lists it.
admin-usage-file = Usage file (CSV, at most 5 MB)
admin-usage-import = Import
admin-upload-unreadable = The upload could not be read. Choose the file again.
admin-usage-choose-file = Choose a CSV file.

# The audit log (Admin → Audit log, and Customers → Audit log for a reseller).
admin-audit-the-provider = the provider
admin-audit-title = Audit log
admin-audit-intro = Every administrative change: who made it, when, from where, and what changed (old → new; secrets are never shown).
admin-audit-empty = No administrative change has been recorded yet.
admin-audit-who = Who
admin-audit-change = Change
admin-audit-of = Of
admin-audit-what-changed = What changed
admin-audit-from = From

# Admin → Identity providers, Authentication options.
admin-yes = Yes
admin-no = No
admin-on = On
admin-off = Off
admin-idp-kind-oidc = OpenID Connect
admin-idp-title = Admin · Identity providers
admin-idp-deactivate-label = Deactivate { $name }
admin-idp-activate-label = Activate { $name }
admin-idp-deactivate = Deactivate
admin-idp-activate = Activate
admin-idp-active = Active
admin-idp-inactive = Inactive
admin-idp-hidden = {" · hidden"}
admin-idp-add = Add an identity provider
admin-idp-empty = No identity providers yet. Add Microsoft Entra ID, Google or any OpenID provider.
admin-idp-provider = Provider
admin-idp-kind = Kind
admin-idp-state = State
admin-idp-automatic-registration = Automatic registration
admin-idp-callback-url = Callback URL
admin-idp-upload-logo-label = Upload a logo (PNG, JPEG, WebP or SVG, at most 100 KB)
admin-idp-upload-logo = Upload logo
admin-idp-callback-register = Callback (redirect) URL to register with the provider:
admin-idp-issuer = Issuer URL
admin-idp-issuer-hint = Google: leave empty for https://accounts.google.com. Entra ID multi-tenant: use …/organizations/v2.0 and list the tenants below.
admin-idp-client-id = Client id
admin-idp-client-secret = Client secret
admin-idp-tenants = Allowed tenant ids (Entra ID, one per line)
admin-idp-hosted-domain = Hosted domain (Google, optional)
admin-idp-logo-url = Logo URL (optional; Microsoft and Google logos are built in; empty keeps an uploaded logo)
admin-idp-active-check = Active (checks discovery and signing keys first)
admin-idp-visible-check = Visible on the sign-in page and in Login Options
admin-idp-auto-register-check = Allow automatic registration of unknown users
admin-idp-trust-unverified-check = Register with e-mails the provider does not mark verified (Entra ID rarely marks them; its tenant list vouches for its users)
admin-idp-add-title = Admin · Add an identity provider
admin-idp-edit-title = Admin · { $name }
admin-idp-updated = { $name } was updated.
admin-idp-added = { $name } was added.
admin-idp-not-activated = { $name } was not activated. { $reason }
admin-idp-now-active = { $name } is active.
admin-idp-last-active = { $name } is the last active provider and password sign-in is off: nobody could sign in. Turn Allow Local Login on first.
admin-idp-now-inactive = { $name } is inactive.
admin-idp-choose-image = Choose an image file.
admin-idp-logo-updated = The logo of { $name } was updated.
admin-auth-title = Admin · Authentication options
admin-auth-local-off = Allow Local Login is off: people sign in only with an external identity provider.
admin-auth-turn-on = Turn Allow Local Login on
admin-auth-local-on = Allow Local Login is on.
admin-auth-needs-provider = It can be turned off only while at least one external identity provider is active.
admin-auth-activate-one = Activate one first.
admin-auth-everyone-linked = Every user has a link to an active external provider or a passkey.
admin-auth-users-without-link = { $count } user(s) have neither a link to an active external provider nor a passkey, and could not sign in until they link one or you turn this back on:
admin-auth-understand = I understand that { $count } user(s) will not be able to sign in with a password.
admin-auth-turn-off = Turn Allow Local Login off
admin-auth-sign-up = Sign-up
admin-auth-allow-sign-up = Allow sign-up (new customers create their account on the storefront; on a reseller's own host, as that reseller's customers)
admin-auth-needs-approval = New accounts wait for approval by their seller
admin-auth-save-sign-up = Save sign-up
admin-auth-shell-before = From the server's shell,
admin-auth-shell-after = turns it back on.
admin-auth-choose-on-off = Choose on or off.
admin-auth-activate-first = Activate an external identity provider before turning Allow Local Login off.
admin-auth-tick-to-turn-off = Tick the confirmation to turn Allow Local Login off.
admin-auth-password-on = Password sign-in is on.
admin-auth-password-off = Password sign-in is off.
admin-auth-second-factor = Second factor
admin-auth-require-second-factor = Require a second factor (an authenticator app) after a password
admin-auth-second-factor-off = No: anybody may add one
admin-auth-second-factor-admins = For provider and reseller administrators
admin-auth-second-factor-everyone = For everyone
admin-auth-save-second-factor = Save second factor
admin-auth-second-factor-note = A user it applies to who has no authenticator app is sent to set one up right after signing in with a password, and can do nothing else until done. Sign-ins through an identity provider (Azure AD, Google, …) are that provider's responsibility: require multi-factor authentication there. A passkey is two factors by itself. A user who lost every factor is helped from Admin → Users → Reset second factors.
admin-auth-choose-second-factor = Choose who must have a second factor: nobody, administrators or everyone.
admin-auth-second-factor-not-required = A second factor is not required.
admin-auth-second-factor-admins-set = Administrators must have a second factor from their next sign-in.
admin-auth-second-factor-everyone-set = Everyone must have a second factor from their next sign-in.
admin-auth-choose-sign-up = Choose on or off for sign-up and for approval.
admin-auth-sign-up-open = Sign-up is open.
admin-auth-sign-up-closed = Sign-up is closed.

# Refusals of the identity provider form.
admin-idp-issuer-not-url = The issuer must be a URL such as https://login.example.com.
admin-idp-issuer-not-plain = The issuer must be a plain URL with a host and no query.
admin-idp-issuer-not-https = The issuer must use https (plain http only for 127.0.0.1, localhost or [::1]).
admin-idp-name-length = Give the provider a name of 1 to { $max } characters.
admin-idp-kind-unknown = The kind must be azure_ad, google or oidc.
admin-idp-issuer-too-long = The issuer URL is too long.
admin-idp-client-id-missing = Enter the client id (application id) the provider gave you.
admin-idp-client-secret-too-long = The client secret is too long.
admin-idp-client-secret-missing = Enter the client secret.
admin-idp-tenant-not-guid = Tenant ids are GUIDs like 72f988bf-86f1-41af-91ab-2d7cd011db47.
admin-idp-tenants-needed = A multi-tenant Entra ID provider needs the list of tenant ids that may sign in.
admin-idp-tenants-entra-only = Tenant ids apply to Microsoft Entra ID providers only.
admin-idp-hosted-domain-google-only = A hosted domain applies to Google providers only.
admin-idp-hosted-domain-invalid = The hosted domain must be a domain such as example.com.
admin-idp-logo-invalid = The logo must be the https:// address of an image, or a path under /static/ or /brand-assets/.
admin-idp-name-taken = Another provider is already called { $name }.
admin-idp-not-activated-reason = Not activated: { $reason }

# Refusals of the WebPay settings form.
admin-payments-bad-commerce-code = The commerce code is the number Transbank gave you, e.g. 597055555532.
admin-payments-secret-again = Enter the API key secret again: the environment changes, and the stored secret is only sent to the environment it was entered for.
admin-payments-bad-secret = The API key secret is a single word of at most 200 characters.
admin-payments-bad-environment = The environment is integration, production, or an http(s):// base URL.

# Discounts (Accounts → Discounts; the rules live with the billing run).
admin-discount-describe = Describe the discount as the invoice should show it (at most 200 characters).
admin-discount-bad-percent = Write the discount as a percentage greater than 0 and at most 100, for example 5 or 12.5.
admin-discount-no-product = There is no product with the code “{ $code }”.

# The WebPay transaction log's calls and returns.
admin-payments-action-create = create
admin-payments-action-commit = commit
admin-payments-action-status = status
admin-payments-action-refund = refund
admin-payments-action-return = return

# A job's summary.
admin-job-summary-billing = Billing run for { $period }: { $issued } invoice(s) issued; { $nothing } account(s) had nothing to bill.
admin-job-summary-already-billed = Already billed for { $period }, left alone: { $accounts }.
admin-job-summary-skipped = Not billed, their reseller is suspended (a run of { $period } after it is reactivated bills them): { $accounts }.
admin-job-summary-usage = { $imported } row(s) imported, { $refused } refused.
