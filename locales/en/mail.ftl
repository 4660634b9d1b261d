# E-mails: the layout's own words, and every letter's subject, paragraphs, action and after lines.
# A mail is written in its recipient's language (the user's choice, else the brand's default).

mail-greeting = Hello { $name },
mail-greeting-no-name = Hello,
mail-questions = Questions? Write to { $address }

mail-sign-in-action = Sign in

mail-reset-subject = Reset your password
mail-reset-paragraph = Someone asked to reset the password of { $email }. The link below works once, for { $minutes } minutes. Choosing a new password signs you out everywhere else.
mail-reset-action = Choose a new password
mail-reset-after = If you did not ask for this, ignore this message: your password stays as it is.

mail-verify-subject = Confirm your e-mail address
mail-verify-paragraph = Please confirm that { $email } is your address. The link works once, for { $hours } hours.
mail-verify-action = Confirm my address
mail-verify-after = If you did not create an account, ignore this message.

mail-role-customer-user = customer user
mail-role-customer-admin = customer admin
mail-role-reseller-admin = reseller admin
mail-role-provider-admin = provider admin

mail-invitation-subject = You are invited to { $account } at { $brand }
mail-invitation-paragraph = { $inviter } invited you to join { $account } at { $brand } as { $role }. The link below works once, for { $days } days: choose a password and you are in.
mail-invitation-action = Accept the invitation
mail-invitation-after = If you did not expect this, ignore this message: nothing happens unless you follow the link.

mail-first-admin-subject = You are invited to { $brand }
mail-first-admin-paragraph = You are the administrator of { $account } at { $brand }. Follow the link to choose your password; it works once, for { $days } days.
mail-first-admin-after = If you did not expect this, ignore this message.

mail-signup-taken-subject = Someone signed up with your address
mail-signup-taken-paragraph = Someone tried to create a new account with { $email }, which already has one. Nothing was created.
mail-signup-taken-after = If you forgot your password, choose "Forgot your password?" on the sign-in page.

mail-notice-password-changed-subject = Your password was changed
mail-notice-password-set-subject = A password was added to your account
mail-notice-password-removed-subject = Your password was removed
mail-notice-provider-connected-subject = { $provider } was connected to your account
mail-notice-provider-disconnected-subject = { $provider } was disconnected from your account
mail-notice-passkey-added-subject = A passkey was added to your account
mail-notice-passkey-removed-subject = A passkey was removed from your account
mail-notice-locked-subject = Your account was locked
mail-notice-authenticator-connected-subject = An authenticator app was connected to your account
mail-notice-authenticator-removed-subject = The authenticator app was removed from your account
mail-notice-recovery-renewed-subject = New recovery codes were made for your account
mail-notice-recovery-used-subject = A recovery code was used to sign in
mail-notice-factors-reset-subject = Your second factors were reset by an administrator

mail-notice-password-changed = The password of { $email } was changed.
mail-notice-password-reset = The password of { $email } was reset through a mailed link; every other session was signed out.
mail-notice-password-set = A password was set for { $email }: it can now sign in with a password.
mail-notice-password-removed = The password of { $email } was removed: it signs in through its identity providers only.
mail-notice-provider-connected = { $provider } can now sign in to { $email }.
mail-notice-provider-disconnected = { $provider } can no longer sign in to { $email }.
mail-notice-passkey-added = The passkey “{ $passkey }” can now sign in to { $email }. If you did not add it, remove it under My Account → Passkeys (a new password alone does not), then change your password.
mail-notice-passkey-removed = The passkey “{ $passkey }” can no longer sign in to { $email }.
mail-notice-locked = { $email } was locked after too many wrong passwords or second-factor codes, until { $until }. If that was not you, change your password once it opens: wrong codes mean somebody knew it.
mail-notice-authenticator-connected = An authenticator app was connected to { $email }: signing in with its password now also asks for a code from the app.
mail-notice-authenticator-removed = The authenticator app of { $email } was removed, with its recovery codes: signing in with its password no longer asks for a code.
mail-notice-recovery-renewed = New recovery codes were made for { $email }; the earlier ones no longer work.
mail-notice-recovery-used = A recovery code was used to sign in to { $email }; { $left ->
        [one] { $left } is left
       *[other] { $left } are left
    }. Make new ones under Login Options when few are left.
mail-notice-factors-reset = An administrator removed the authenticator app, recovery codes and passkeys of { $email }, as asked when they were lost. Set up a second factor again under Login Options.
mail-notice-action = Review your login options
mail-notice-after = If this was not you, reset your password and tell your administrator.

mail-invoice-subject = Invoice { $number }
mail-invoice-paragraph = Invoice { $number } was issued on { $issued }: { $total }, VAT included.
mail-invoice-paragraph-period = Invoice { $number } for { $period } was issued on { $issued }: { $total }, VAT included.
mail-invoice-action = View the invoice

mail-receipt-subject = Payment received for order { $number }
mail-receipt-paragraph = We received your payment of { $total } for order { $number }. Thank you.
mail-receipt-authorization = Authorization code: { $code }.
mail-receipt-action = View the order

mail-connect-subject = Sign in with { $provider }
mail-connect-paragraph = You can now sign in with your { $provider } account. Connect it once from Login Options, then use "Sign in with { $provider }" on the sign-in page.
mail-connect-paragraph-later = Signing in with a password may be switched off later: connecting now keeps your access.
mail-connect-action = Open Login Options

mail-approved-subject = Your account at { $brand } is ready
mail-approved-paragraph = { $brand } approved the account of { $account }. You can sign in and buy now.

# Admin → Outbox: what a sent message that held a single-use link keeps of its text.
mail-outbox-blanked = (This message held a single-use link. Its text was removed once it was sent.)
