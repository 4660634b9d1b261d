# Identity: sign-in, sign-up, password reset, second factors, passkeys, My Account.

## Sign-in and sign-out
login-title = Sign in
login-email = E-mail
login-password = Password
login-submit = Sign in
login-forgot = Forgot your password?
login-local-off = Signing in with a password is turned off. Use one of the sign-in buttons.
login-new-here = New here?
login-create-account = Create an account
login-with-provider = Sign in with { $provider }
login-too-many = Too many sign-in attempts from your network. Please wait { $seconds } seconds and try again.
login-failed = That e-mail and password did not work. After several failed attempts an account is locked for a while, longer each time; a sign-in button of an identity provider connected to the account still works, and your administrator can unlock it.
login-sign-out-title = Sign out
login-sign-out-question = Do you want to sign out?
login-sign-out-button = Sign out

## Why somebody may not sign in
identity-user-deactivated = This user was deactivated. Ask your account's administrator.
identity-invitation-not-accepted = This invitation has not been accepted yet: follow the link in its e-mail.
identity-account-suspended = This account is suspended. Ask your provider.
identity-account-pending-approval = This account waits for approval. You will get an e-mail once it is approved.
identity-provider-switched-off = This identity provider is switched off here.
identity-sign-up-closed = Sign-up is closed.
identity-no-new-accounts = This shop does not take new accounts right now.
identity-too-many-attempts = Too many attempts. Please wait { $seconds } seconds and try again.
identity-too-many-requests = Too many requests from your network. Please wait { $seconds } seconds and try again.
identity-too-many-flows = Too many sign-ins started from your network. Please wait { $seconds } seconds and try again.

## Form fields
identity-name-missing = Enter a name.
identity-name-too-long = A name has at most { $count } characters.
identity-name-control-characters = A name cannot contain control characters.
identity-email-missing = Enter your e-mail address.
identity-email-too-long = An e-mail address has at most { $count } characters.
identity-email-invalid = Enter an e-mail address like name@example.com.
identity-password-too-short = The new password must have at least { $count } characters.
identity-password-too-long = The new password can have at most { $count } characters.
identity-password-only-spaces = The new password cannot be only spaces.
identity-password-mismatch = The two new passwords do not match.

## Identity providers (OpenID Connect)
oidc-no-pending-flow = This sign-in answer does not belong to a sign-in started here, or it was already used. Please start again.
oidc-expired = The sign-in took longer than 10 minutes and expired. Please start again.
oidc-wrong-provider = The answer came from a different identity provider than the one you chose. Please start again.
oidc-state-mismatch = The sign-in answer could not be matched to your browser session. Please start again.
oidc-provider-error = The identity provider did not sign you in ({ $code }). Please try again.
oidc-token-not-verified = The identity provider's answer could not be verified: { $reason }.

## Passkeys (refusals)
passkey-unavailable = Passkeys are not available on this server: its public address ({ $address }) is not a host name. Passkeys need one, such as localhost or shop.example.com.
passkey-not-an-answer = The request is not what a passkey answer looks like ({ $reason }). Reload the page and try again.
passkey-no-ceremony = No passkey request is waiting in this browser (it was used already, or it expired). Please start again.
passkey-refused = The passkey's answer was not accepted ({ $reason }). Please start again.
passkey-unknown = This passkey is not registered here. Sign in another way and add it under My Account → Passkeys.
passkey-cloned = This passkey was refused: its signature counter did not move forward, a sign that it may have been copied. Sign in another way, remove it and add a new one.
passkey-already-registered = This passkey is registered already.
passkey-too-many = You have { $count } passkeys already: remove one first.
passkey-name-missing = Give the passkey a name, such as the device it is on.
passkey-name-too-long = A passkey's name is at most { $count } characters of plain text.

## Password reset (refusals)
reset-link-not-valid = This link has expired or was already used. Ask for a new one.

## Authenticator app (refusals)
second-factor-enrol-wrong-code = That code did not match. Type the six digits your app shows now (they change every 30 seconds).
second-factor-enrol-start-again = Start again: choose Connect next to Authenticator app.

## Password change (refusals)
account-no-password-yet = You have no password yet. Set one under Login Options → Local → Connect, after confirming it is you.
account-current-password-refused = Your current password was not accepted: it is wrong, your account is locked after several wrong attempts, or password sign-in is turned off.

## Password reset and e-mail confirmation
reset-back-to-sign-in = Back to sign-in
reset-ask-title = Forgot your password?
reset-ask-intro = Enter the e-mail address you sign in with. We will send you a link to choose a new password.
reset-email = E-mail
reset-send-link = Send the link
reset-email-missing = Enter the e-mail address you sign in with.
reset-check-mail-title = Check your e-mail
reset-request-answer = If that address belongs to an account that signs in with a password, a link to choose a new password is on its way. It works once, for 30 minutes.
reset-choose-title = Choose a new password
reset-choose-intro = A new password for { $email }. Choosing it signs you out everywhere else.
reset-new-password = New password
reset-new-password-again = New password again
reset-set-password = Set the new password
reset-link-not-valid-title = Link not valid
reset-ask-new-link = Ask for a new link
reset-sign-in = Sign in
reset-changed-title = Password changed
reset-changed-but = Your password was changed. { $reason }
reset-changed = Your password was changed and every other session was signed out.
reset-address-confirmed-title = Address confirmed
reset-address-confirmed = Thank you: { $email } is confirmed.
reset-verify-link-not-valid = This link has expired or was already used.

## Sign-up
signup-title = Sign up
signup-you = You
signup-with-provider-intro = Sign up with the account you already use at work, and sign in with it from now on:
signup-with-provider = Sign up with { $provider }
signup-or-with-password = Or with your e-mail and a password
signup-your-name = Your name
signup-your-email = Your e-mail
signup-password = Password
signup-password-again = Password again
signup-create = Create my account
signup-your-company = Your company
signup-company-name = Company name
signup-country = Country
signup-tax-id = Tax id (RUT in Chile)
signup-billing-email = Billing e-mail
signup-already = Already have an account?
signup-sign-in = Sign in
signup-signed-in-as = You are signed in as { $email }. Sign out first to create another account.
signup-signed-in = You are signed in: sign out first to create another account.
signup-password-off = Signing up with a password is off here: choose an identity provider.
signup-too-many = Too many sign-ups from your network. Please wait { $seconds } seconds and try again.
signup-too-many-started = Too many sign-ups started from your network. Please wait { $seconds } seconds and try again.
signup-check-your-mail = Thank you. Check your e-mail: we sent a message to the address you gave. Once your address is confirmed (and, where the shop reviews new accounts, your account approved), you can sign in and buy.
signup-already-confirmed = Your e-mail address is already confirmed.
signup-link-sent-again = We sent the confirmation link again.
signup-links-this-hour = We already sent several links this hour: please use the latest one.
signup-choose-country = Choose a country from the list.
signup-country-cl = Chile
signup-country-ar = Argentina
signup-country-bo = Bolivia
signup-country-br = Brazil
signup-country-co = Colombia
signup-country-ec = Ecuador
signup-country-es = Spain
signup-country-mx = Mexico
signup-country-pe = Peru
signup-country-us = United States
signup-country-uy = Uruguay

## Inviting users to connect an identity provider
invitation-counts = { $provider }: { $invited } invited, { $connected } connected since, { $without } still without a link to an active provider.
invitation-invite = Invite { $count } user(s) to connect { $provider }
invitation-heading = Inform your users
invitation-intro = Each user without a link to an active identity provider can be sent a branded invitation to connect one, once per provider. They also see a notice on My Account until they connect or dismiss it.
invitation-no-provider = No identity provider is active: activate one first.
invitation-sent = { $count } invitation(s) sent.
invitation-notice-before = You can now sign in with { $provider }. Connect it under{" "}
invitation-notice-link = Login Options
invitation-notice-after = {" "}below.
invitation-dismiss = Dismiss

## Second factor (authenticator app)
second-factor-code-title = Enter your code
second-factor-code-intro = Your password was right. Now enter the six-digit code your authenticator app shows, or one of your recovery codes.
second-factor-code = Code
second-factor-code-submit = Sign in
second-factor-code-lost = Lost your phone and your recovery codes? Ask your administrator to reset your second factors.
second-factor-start-again = This sign-in took too long or was not started here. Please sign in again.
second-factor-wrong-code = That code did not work: it is wrong, was used already, or your account is locked after several wrong attempts. App codes change every 30 seconds; each recovery code works once.
second-factor-set-up-title = Set up an authenticator app
second-factor-required-before = Your administrator requires a second factor after a password. Set up an authenticator app to go on, or{" "}
second-factor-required-sign-out = sign out
second-factor-required-after = {" "}(and sign in with a passkey, if you have one: it is two factors by itself).
second-factor-step-scan = 1. In an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, …) add an account by scanning this code:
second-factor-qr-alt = QR code of your authenticator app's set-up
second-factor-type-key = Or type this key into the app:
second-factor-step-code = 2. Enter the six-digit code the app shows now
second-factor-connect-app = Connect the app
second-factor-connected-already = Your authenticator app is connected already.
second-factor-confirm-first = Confirm it is you first: choose Connect next to Authenticator app again.
second-factor-connected = Your authenticator app is connected.
second-factor-recovery-title = Your recovery codes
second-factor-recovery-keep = Keep these recovery codes somewhere safe (print them, or save them in a password manager). Each one works once, in place of a code from the app, if you lose your phone. They are shown only now.
second-factor-recovery-saved = I have saved them
second-factor-removed-set-up-new = Your authenticator app was removed. Your administrator requires one: set up the new one now.
second-factor-removed = Your authenticator app was removed, with its recovery codes.
second-factor-recovery-renewed = New recovery codes: the earlier ones no longer work.
second-factor-own-factors = Your own second factors are changed under My Account → Login Options, after confirming it is you.
second-factor-reset-stranded = They have no password and no connected identity provider: after this they cannot sign in until you invite them again or they connect a provider's account through an invitation. A password reset by mail needs a password to replace.
second-factor-reset-title = Admin · Reset second factors
second-factor-reset-question = Reset the second factors of { $name } ({ $email })? Their authenticator app, recovery codes and passkeys are removed, they are told by e-mail, and the reset is recorded as a security event. Do this only when you are sure it is them asking (call them back on a number you already have).
second-factor-reset-button = Reset second factors
second-factor-reset-cancel = Cancel
second-factor-reset-done = The second factors of { $email } were reset and their sessions signed out; they were told by e-mail.
second-factor-reset-nothing = { $email } had no second factor to reset.

## Passkeys
passkey-used-at = Passkeys are used at { $address }: open this page there.
passkey-added-and-used-at = Passkeys are added and used at { $address }.
passkey-confirm-first = Confirm it is you first.
passkey-added = The passkey “{ $name }” was added.
passkey-last-way = This passkey is your only way to sign in, so it cannot be removed. Add another passkey, connect a provider or set a password first.
passkey-removed = The passkey was removed. Every other session of yours was signed out.
passkey-another-user = This passkey belongs to another user. Sign out first to sign in with it.
passkey-never = Never
passkey-none-yet = No passkeys yet.
passkey-remove-named = Remove { $name }
passkey-remove = Remove
passkey-name = Name
passkey-added-on = Added
passkey-last-used = Last used
passkey-action = Action
passkey-new-name = Name of the new passkey
passkey-new-name-example = Work laptop
passkey-add = Add a passkey
passkey-needs-script = Passkeys need JavaScript and a browser that supports them. Everything else here works without.
passkey-heading = Passkeys
passkey-intro = A passkey signs you in with your device's screen lock or a security key, without typing your e-mail or a password. It counts as a way in: the last one cannot be removed.
passkey-sign-in = Sign in with a passkey
passkey-sign-in-needs-script = Signing in with a passkey needs JavaScript.
passkey-confirm-intro = You can confirm it is you with one of your passkeys.
passkey-confirm = Confirm with a passkey
passkey-confirm-needs-script = Confirming with a passkey needs JavaScript.
passkey-js-server-answered = The server answered { $status }. Please try again.
passkey-js-failed = That did not work. Please try again.
passkey-js-cancelled = The passkey request was cancelled or timed out.
passkey-js-exists = This device already has a passkey for you here.

## Signing in with an identity provider, Login Options actions, confirming it is you
oidc-unreachable = { $provider } cannot be reached right now. Please try again later.
oidc-connect-at = Connect identity providers at { $address }: sign in there, then open My Account → Login Options.
oidc-handoff-sign-up = Create the account of { $company } as a customer of { $seller }, and sign in with { $provider } from now on.
oidc-handoff-join = Join { $account } as { $email }, and sign in with { $provider } from now on.
oidc-handoff-not-valid = This link expired or is not valid. Please start again where you were.
oidc-handoff-ended = This can no longer be done: the invitation or the shop's offer has ended.
oidc-continue-title = Continue
oidc-continue-with = Continue with { $provider }
oidc-signed-in-here = You are signed in here: sign out first.
oidc-welcome-created = Welcome! Your account was created with { $provider }.
oidc-not-registered = No account could be created here for this { $provider } sign-in. If you already have an account, sign in the way you usually do, then connect { $provider } under My Account → Login Options; otherwise ask your administrator.
oidc-not-connected = This { $provider } account is not connected to any account here. Sign in the way you usually do, then open My Account → Login Options and choose Connect next to { $provider }.
oidc-linked = { $provider } is connected. You can now sign in with it.
oidc-already-linked = { $provider } was already connected.
oidc-linked-to-another-user = This { $provider } account is already connected to another user, so it cannot be connected to yours.
oidc-somebody-else = You confirmed with a different { $provider } account than the one connected to you.
oidc-welcome-title = Welcome
oidc-signed-up-not-yet = Thank you: your account was created with { $provider }. { $reason }
oidc-not-signed-up = No account could be created with this { $provider } sign-in. If you already have an account here, sign in the way you usually do and connect { $provider } under My Account → Login Options. Otherwise sign up with your e-mail address and a password.
oidc-joined = Welcome: you have joined. You sign in with { $provider }.
oidc-joined-not-yet = You have joined, and you sign in with { $provider }. { $reason }
oidc-reauth-reset-again = It is you: confirm the reset again to go on.
oidc-reauth-disconnect-again = It is you: choose Disconnect again to go on.
oidc-reauth-passkeys-again = It is you: choose Add or Remove again to go on.
oidc-no-way-to-confirm = There is no way left to confirm it is you. Ask your administrator for help.
oidc-already-linked-now = { $provider } is already connected.
oidc-last-way-provider = { $provider } is your only way to sign in, so it cannot be disconnected. Connect another provider, set a password or add a passkey first.
oidc-last-way-password = Your password is your only way to sign in, so it cannot be disconnected. Connect another provider, set a password or add a passkey first.
oidc-unlinked = { $provider } is disconnected.
oidc-password-removed = Your password was removed.
oidc-set-password-title = Set a password
oidc-new-password = New password
oidc-repeat-password = Repeat the new password
oidc-set-password = Set password
oidc-confirm-first-local = Confirm it is you first: choose Connect next to Local again.
oidc-password-set = Your password is set: you can sign in with your e-mail and password.
oidc-reauth-title = Confirm it is you
oidc-reauth-code = Code from your authenticator app (or a recovery code)
oidc-reauth-intro = For your security, enter your password again before changing how you sign in.
oidc-reauth-password = Password
oidc-reauth-continue = Continue
oidc-nothing-to-confirm = Nothing to confirm.
oidc-reauth-wrong-password = That password is not correct.
oidc-reauth-wrong-code = That code did not work: it is wrong or was used already.

## My Account
account-title = My Account
account-verify-notice = Confirm { $email } with the link we sent you: you can buy once it is confirmed.
account-verify-resend = Send the link again
account-profile = Profile
account-email = E-mail
account-account = Account
account-role = Role
account-role-customer-user = Customer user
account-role-customer-admin = Customer admin
account-role-reseller-admin = Reseller admin
account-role-provider-admin = Provider admin
account-users-of-account = Users of your account
account-name = Name
account-save-profile = Save profile
account-profile-saved = Profile saved.
account-password = Password
account-current-password = Current password
account-new-password = New password
account-repeat-password = Repeat the new password
account-change-password = Change password
account-change-password-note = Changing it signs out every other session of yours.
account-password-changed = Your password was changed. Every other session of yours was signed out.
account-subscriptions = Subscriptions
account-subscription-changes = Recent subscription changes
account-orders = Orders
account-invoices = Invoices
account-security-activity = Recent security activity
account-preferences-heading = Language and time zone
account-preferences-language = Language
account-preferences-time-zone = Time zone
account-preferences-language-browser = { $language } (the browser's, else the storefront's)
account-preferences-time-zone-brand = The storefront's ({ $zone })
account-preferences-change = Change the language and time zone

## My Account: Login Options
account-connect = Connect
account-disconnect = Disconnect
account-new-recovery-codes = New recovery codes
account-connect-named = Connect { $name }
account-disconnect-named = Disconnect { $name }
account-new-recovery-codes-named = New recovery codes { $name }
account-local = Local
account-password-sign-in-off = Password sign-in is turned off.
account-authenticator-app = Authenticator app
account-authenticator-note = Asked for after your password. { $left } of { $total } recovery codes left.
account-authenticator-offer = A code from your phone after your password: a second factor.
account-connected = Connected
account-not-connected = Not connected
account-login-options = Login Options
account-login-options-intro = The ways you can sign in. Connect a provider to sign in with it; at least one way must stay.
account-login-options-state = State
account-login-options-logo = Logo
account-login-options-sign-in-with = Sign in with
account-login-options-action = Action

## My Account: sessions
account-browser-on = { $browser } on { $system }
account-a-browser-on = A browser on { $system }
account-unknown-browser = Unknown browser
account-session-now = Now
account-this-session = This session
account-session-sign-out = Sign out
account-address-unknown = unknown
account-sign-out-others = Sign out of all other sessions
account-sessions = Sessions
account-sessions-intro = Where you are signed in now. Signed in somewhere you no longer use, or on a computer that is not yours? Sign that session out.
account-session-browser = Browser
account-session-address = Address
account-session-signed-in = Signed in
account-session-last-active = Last active
account-end-this-session = To end this session, use Sign out.
account-session-signed-out = That session was signed out.
account-other-sessions-signed-out = Every other session of yours was signed out.

## My Account: security activity
account-no-security-activity = No security activity yet.
account-event-when = When
account-event-what = What
account-event-detail = Detail
account-event-sign-in = sign in
account-event-sign-in-failed = sign in failed
account-event-locked-out = locked out
account-event-sign-out = sign out
account-event-unlocked = unlocked
account-event-password-changed = password changed
account-event-settings-changed = auth settings changed
account-event-idp-sign-in = idp sign in
account-event-idp-sign-in-failed = idp sign in failed
account-event-linked = identity linked
account-event-unlinked = identity unlinked
account-event-link-refused = identity link refused
account-event-registered = registered by idp
account-event-reauthenticated = reauthenticated
account-event-other-sessions-ended = other sessions ended
account-event-session-ended = session signed out
account-event-password-set = password set
account-event-password-removed = password removed
account-event-authenticator-connected = authenticator app connected
account-event-authenticator-disconnected = authenticator app removed
account-event-recovery-codes-renewed = recovery codes renewed
account-event-recovery-code-used = recovery code used
account-event-second-factor-failed = second factor failed
account-event-second-factors-reset = second factors reset
account-event-passkey-added = passkey added
account-event-passkey-removed = passkey removed
account-event-passkey-clone-suspected = passkey clone suspected
passkey-script-only = This address answers the passkey script of this site's pages only.
signup-tax-id-missing = Enter the tax id.
signup-tax-id-too-long = A tax id has at most { $count } characters.
signup-tax-id-not-a-rut = A RUT looks like 76.123.456-7: digits, a hyphen and the verifier digit (0–9 or K).
signup-tax-id-wrong-verifier = This RUT's verifier digit is wrong: check the number.
oidc-choose-offered-provider = Choose one of the identity providers on the page.
