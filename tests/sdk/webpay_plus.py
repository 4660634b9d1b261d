"""Transbank's official Python SDK (transbank-sdk 6.1) against `stratus webpay-sim`.

The simulator must take what Transbank's own SDK sends: create posted to
`.../v1.2/transactions/` (trailing slash) with `"amount": "15000"` (a string), commit
as a PUT without a body, and so on. This drives a payment through create, the
simulator's payment form (as a shopper's browser would), commit, status and refunds,
plus the SDK's error path, and fails on the first difference.

Usage: python webpay_plus.py http://127.0.0.1:PORT
"""

import html.parser
import sys
import urllib.parse
import urllib.request

from transbank.common.integration_api_keys import IntegrationApiKeys
from transbank.common.integration_commerce_codes import IntegrationCommerceCodes
from transbank.common.request_service import RequestService
from transbank.error.transaction_commit_error import TransactionCommitError
from transbank.error.transaction_create_error import TransactionCreateError
from transbank.error.transaction_refund_error import TransactionRefundError
from transbank.webpay.webpay_plus.transaction import Transaction

SIMULATOR = sys.argv[1].rstrip("/")
RETURN_URL = "http://127.0.0.1:9/checkout/webpay/return"
VISA = "4051 8856 0044 6623"
DEBIT = "4051884239937763"

# The SDK only knows Transbank's two hosts; point it at the simulator. Everything else
# (paths, headers, bodies, answers) is the SDK's own.
RequestService.host = classmethod(lambda cls, options: SIMULATOR)

passed = 0
failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


class HiddenInputs(html.parser.HTMLParser):
    """The hidden fields and the action of the form the simulator sends back to the shop."""

    def __init__(self):
        super().__init__()
        self.fields = {}
        self.action = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action")
        if tag == "input" and attrs.get("type") == "hidden":
            self.fields[attrs.get("name")] = attrs.get("value")


def post_form(url, fields):
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"), timeout=10) as response:
        return response.status, response.read().decode()


def pay(url, token, card):
    """The shopper's browser: WebPay's form (POST token_ws to the create answer's url), then Pay."""
    status, page = post_form(url, {"token_ws": token})
    check("the payment form opens", status == 200 and "Pay CLP" in page, page[:200])
    status, back = post_form(
        f"{SIMULATOR}/webpayserver/pay",
        {"token_ws": token, "card_number": card, "action": "pay", "return_method": "post"},
    )
    form = HiddenInputs()
    form.feed(back)
    check("back to the shop with token_ws", form.action == RETURN_URL and form.fields == {"token_ws": token}, back[:300])


def main():
    tx = Transaction.build_for_integration(IntegrationCommerceCodes.WEBPAY_PLUS, IntegrationApiKeys.WEBPAY)

    # Create: POST .../transactions/ with "amount": "15000".
    created = tx.create("SDK-ORDER-1", "sdk-session-1", 15000, RETURN_URL)
    token = created["token"]
    check("create answers a 64-character token", len(token) == 64, created)
    check("create answers the form's url", created["url"] == f"{SIMULATOR}/webpayserver/initTransaction", created)

    status = tx.status(token)
    check("a fresh transaction is INITIALIZED", status.get("status") == "INITIALIZED", status)

    pay(created["url"], token, VISA)

    committed = tx.commit(token)
    check("commit approves", committed.get("response_code") == 0 and committed.get("status") == "AUTHORIZED", committed)
    check("commit names the amount and buy order created",
          committed.get("amount") == 15000 and committed.get("buy_order") == "SDK-ORDER-1"
          and committed.get("session_id") == "sdk-session-1", committed)
    check("commit gives the card's last four digits", committed.get("card_detail") == {"card_number": "6623"}, committed)
    check("commit gives a credit payment type", committed.get("payment_type_code") == "VN", committed)

    try:
        tx.commit(token)
        check("a second commit is refused", False)
    except TransactionCommitError as error:
        check("a second commit is refused with 422", error.code == 422, (error.code, error.message))

    check("status after commit is AUTHORIZED", tx.status(token).get("status") == "AUTHORIZED")

    # Refund part ("amount": "5000"): NULLIFIED, the balance goes down.
    refund = tx.refund(token, 5000)
    check("a partial refund is NULLIFIED",
          refund.get("type") == "NULLIFIED" and refund.get("nullified_amount") == 5000
          and refund.get("balance") == 10000 and refund.get("response_code") == 0, refund)
    check("status after it is PARTIALLY_NULLIFIED", tx.status(token).get("status") == "PARTIALLY_NULLIFIED")
    try:
        tx.refund(token, 20000)
        check("refunding more than is left is refused", False)
    except TransactionRefundError as error:
        check("refunding more than is left is refused with 422", error.code == 422, (error.code, error.message))

    # A second sale, debit, refunded in full at once: REVERSED.
    second = tx.create("SDK-ORDER-2", "sdk-session-2", 2990, RETURN_URL)
    pay(second["url"], second["token"], DEBIT)
    committed = tx.commit(second["token"])
    check("a debit card commits as VD", committed.get("payment_type_code") == "VD", committed)
    refund = tx.refund(second["token"], 2990)
    check("a full refund soon after the sale is REVERSED", refund == {"type": "REVERSED"}, refund)
    check("status after it is REVERSED", tx.status(second["token"]).get("status") == "REVERSED")

    # Errors come back the way the SDK reads them: status code and error_message.
    try:
        tx.commit("a" * 64)
        check("an unknown token is refused", False)
    except TransactionCommitError as error:
        check("an unknown token is 404 Transaction not found",
              error.code == 404 and error.message == "Transaction not found", (error.code, error.message))
    wrong = Transaction.build_for_integration(IntegrationCommerceCodes.WEBPAY_PLUS, "not-the-secret")
    try:
        wrong.create("SDK-ORDER-3", "sdk-session-3", 1000, RETURN_URL)
        check("wrong credentials are refused", False)
    except TransactionCreateError as error:
        check("wrong credentials are 401 Not Authorized",
              error.code == 401 and error.message == "Not Authorized", (error.code, error.message))

    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
