# La tienda: catálogo, producto, carro, pedidos y WebPay, facturas, suscripciones, cuentas.

## Inicio (el catálogo)
home-title = Catálogo
home-lead = Servicios en la nube de { $company }: licencias, Azure, respaldo e instancias reservadas.
home-empty = Todavía no hay productos en el catálogo.

## Productos
product-quantity = Cantidad
product-add-to-cart = Agregar al carro
product-ramp-up-label = Período de adopción gradual (exime del compromiso mínimo mensual de { $minimum } desde el inicio)
product-ramp-up-none = Ninguno
product-ramp-up-months = { $months ->
    [one] { $months } mes
   *[other] { $months } meses
}
product-kind-license-subscription = Suscripción de licencias
product-kind-consumption = Consumo
product-kind-perpetual-license = Licencia perpetua
product-kind-software-subscription = Suscripción de software
product-kind-reserved-instance = Instancia reservada
product-kind-addon = Complemento
product-cycle-monthly = al mes
product-cycle-annual = al año
product-cycle-one-time = pago único
product-price-on-request = Precio a consultar
product-price-usage = Se factura según el uso
product-price-usage-minimum = Se factura según el uso · mínimo { $minimum } al mes
product-price-per-cycle = { $price } { $cycle }
product-quantity-out-of-range = La cantidad debe estar entre 1 y { $max }.
product-ri-prices-caption = Precios por reserva
product-ri-term-heading = Plazo
product-ri-plan-upfront = Por adelantado (todo el plazo)
product-ri-plan-monthly = Mensual (por mes)
product-ri-paid-upfront = pagada por adelantado
product-ri-paid-monthly = pagada mensualmente
product-ri-scope-single = Suscripción individual
product-ri-scope-shared = Compartido
product-ri-scope-name-single = individual
product-ri-scope-name-shared = compartido
product-ri-legend = Reserva
product-ri-type = Tipo de reserva
product-ri-payment = Pago
product-ri-scope = Alcance
product-ri-region = Región
product-ri-auto-renew = Renovar la reserva automáticamente al terminar su plazo
product-ri-term = { $years ->
    [one] { $years } año
   *[other] { $years } años
}
product-ri-price-upfront = { $amount } por adelantado
product-ri-price-monthly = { $amount } al mes
product-ri-price-either = { $first } o { $second }
product-ri-price = { $years ->
    [one] Reserva de { $years } año: { $prices }
   *[other] Reserva de { $years } años: { $prices }
}
product-ri-price-also = { $years ->
    [one] Reserva de { $years } año: { $prices } · también por { $longer }
   *[other] Reserva de { $years } años: { $prices } · también por { $longer }
}
product-ri-describe = { $kind } · { $years ->
    [one] { $years } año
   *[other] { $years } años
} · alcance { $scope } · { $region }
product-ri-auto-renew-on = renovación automática activada
product-ri-auto-renew-off = renovación automática desactivada
product-ri-none-offered = no se ofrece ninguno
product-ri-one-of = { $first } o { $last }
product-ri-type-not-offered = Elija un tipo de reserva que ofrezca este producto: { $offered }.
product-ri-term-invalid = El plazo de una reserva es de 1 o 3 años.
product-ri-payment-plan-invalid = Elija cómo pagar la reserva: por adelantado o mensualmente.
product-ri-scope-not-offered = Elija un alcance que ofrezca esta reserva: { $offered }.
product-ri-region-not-offered = Elija una región que ofrezca esta reserva: { $offered }.
product-ri-not-sold-in = { $years ->
    [one] Una reserva de { $years } año { $plan } no se vende en { $currency }.
   *[other] Una reserva de { $years } años { $plan } no se vende en { $currency }.
}

## Rechazos del catálogo de administración (product_rules)
product-admin-code-in-use = El código { $code } ya está en uso: elija otro.
product-admin-no-such-base = No hay ningún producto con el código { $code }.
product-admin-base-its-own = Un complemento no puede ser su propio producto base.
product-admin-base-another-addon = El producto base de un complemento no puede ser otro complemento.
product-admin-locked-term = plazo
product-admin-locked-billing-cycle = ciclo de facturación
product-admin-locked-kind = tipo
product-admin-locked-and = { $first } y { $last }
product-admin-in-use = { $count ->
    [one] { $count } suscripción usa este producto: no admite cambios en su { $fields } mientras la use (cancélela primero o cree un producto nuevo).
   *[other] { $count } suscripciones usan este producto: no admite cambios en su { $fields } mientras alguna lo use (cancélelas primero o cree un producto nuevo).
}
product-admin-not-confirmed = Marque «Confirmo» para despublicar el producto.

## Carro
cart-title = Su carro
cart-added = Se agregó { $quantity } × { $product } a su carro.
cart-quantity-updated = Cantidad actualizada.
cart-item-removed = Se quitó el producto de su carro.
cart-quantity-of = Cantidad de { $product }
cart-remove-from-cart = Quitar { $product } del carro
cart-ramp-up = Adopción gradual: { $months ->
    [one] { $months } mes
   *[other] { $months } meses
} sin el compromiso mínimo
cart-update = Actualizar
cart-remove = Quitar
cart-empty = Su carro está vacío.
cart-browse-catalogue = Ver el catálogo
cart-product = Producto
cart-quantity = Cantidad
cart-unit-price = Precio unitario
cart-total = Total
cart-actions = Acciones
cart-place-order = Realizar pedido
cart-prices-note = Los precios son netos; el IVA se agrega al pagar. Se cobra en la moneda del carro.
cart-no-price = { $product } todavía no tiene precio y no se puede comprar.
cart-other-currency = Su carro está en { $currency } y { $product } no se vende en { $currency }. Vacíe su carro o finalice esa compra primero.
cart-reservation-missing = Elija el tipo, el plazo, la forma de pago, el alcance y la región de la reserva.

## Pedidos
order-placed = Se realizó el pedido { $number }.
order-title = Pedido { $number }
order-ramp-up = Adopción gradual: { $months ->
    [one] { $months } mes
   *[other] { $months } meses
} sin el compromiso mínimo
order-remove-from-order = Quitar { $product } del pedido
order-remove = Quitar
order-receipt-amount = Monto
order-receipt-authorization-code = Código de autorización
order-receipt-card = Tarjeta
order-receipt-payment-type = Tipo de pago
order-receipt-instalments = Cuotas
order-receipt-webpay-order = Orden WebPay
order-receipt-environment = Ambiente
order-test-tag = PRUEBA
order-test-notice = Pago de PRUEBA: hecho en el ambiente de integración de Transbank; no se movió dinero real.
order-webpay-order-heading = Orden WebPay { $buy_order }:{ " " }
order-payment = Pago
order-needing-attention = Pedidos que requieren atención
order-being-set-up = Su pedido está pagado y se está preparando. Sus suscripciones aparecerán en su cuenta en cuanto estén listas; no necesita hacer nada.
order-refund-being-verified = respuesta perdida, en verificación con WebPay (cuenta como reembolsado mientras tanto)
order-refund-not-refunded = no reembolsado
order-refund-line = { $when } { $amount }: { $status }
order-check-with-webpay = Consultar con WebPay
order-refunds = Reembolsos
order-refund = Reembolsar
order-refund-amount = Monto en pesos
order-refund-confirm = Reembolsar este monto a la tarjeta del cliente a través de WebPay
order-pay-with-webpay = Pagar con WebPay
order-status = Estado:
order-no-items-left = A este pedido no le quedan productos.
order-product = Producto
order-quantity = Cantidad
order-unit-price = Precio unitario
order-total = Total
order-actions = Acciones
order-continue-to-webpay = Continuar a WebPay
order-webpay-test-notice = Este pago va al ambiente de integración (de prueba) de Transbank: pague con una de sus tarjetas de prueba; no se mueve dinero real.
order-webpay-explanation = Usted paga en WebPay, la página de pago de Transbank. Después volverá aquí.
order-return-unreadable = No se pudo leer este retorno de pago. No se cargó nada a ningún pedido.
order-refund-tick-confirmation = Marque la confirmación para reembolsar.
order-refund-whole-pesos = El monto es un número entero de pesos.
order-refunded = WebPay respondió { $kind }: se reembolsaron { $amount }; se emitió la nota de crédito { $credit_invoice }.
order-refund-answer-lost = Se perdió la respuesta de WebPay al reembolso de { $amount }. Cuenta como reembolsado mientras se verifica con el estado de WebPay; su nota de crédito se emite cuando WebPay lo confirme.
order-refunds-none-settled = El estado de WebPay no resolvió ningún reembolso por ahora; el proceso en segundo plano sigue consultando.
order-refunds-settled = { $count ->
    [one] Se resolvió { $count } reembolso con el estado de WebPay.
   *[other] Se resolvieron { $count } reembolsos con el estado de WebPay.
}
order-last-item-removed = Se quitó el último producto, así que el pedido { $number } quedó anulado.
order-item-removed = Se quitó el producto; el total del pedido ahora es { $total }.
order-no-orders = Todavía no hay pedidos.
order-order = Pedido
order-date = Fecha
order-status-heading = Estado
order-status-pending-payment = Esperando el pago
order-status-payment-verifying = Pago en verificación
order-status-paid = Pagado
order-status-canceled = Anulado
order-payment-type-vd = Tarjeta de débito
order-payment-type-vn = Tarjeta de crédito, sin cuotas
order-payment-type-vc = Tarjeta de crédito, cuotas del emisor
order-payment-type-si = Tarjeta de crédito, 3 cuotas sin interés
order-payment-type-s2 = Tarjeta de crédito, 2 cuotas sin interés
order-payment-type-nc = Tarjeta de crédito, cuotas sin interés
order-payment-type-vp = Tarjeta de prepago
order-payment-type-card = Tarjeta
order-cart-empty = Su carro está vacío.
order-no-longer-sold = { $product } ya no está a la venta: quítelo de su carro para realizar el pedido.
order-no-price = { $product } no tiene precio en la moneda de su carro: quítelo de su carro para realizar el pedido.
order-email-not-confirmed = Confirme su correo electrónico antes de su primera compra: siga el enlace que le enviamos (en Mi cuenta puede volver a pedirlo).
order-not-waiting-for-payment = Solo puede cambiar un pedido que está esperando el pago.
order-not-paid = El pedido no está pagado.

## WebPay: inicio de un pago, sus resultados, reembolsos
order-not-payable = El pedido { $number } está en estado «{ $status }»; no se puede pagar ahora.
order-webpay-not-in-pesos = WebPay recibe pagos solo en pesos chilenos (CLP).
order-nothing-to-pay = Este pedido no tiene nada que pagar.
order-changed-meanwhile = El pedido { $number } no se puede pagar ahora; recárguelo para ver por qué.
order-payment-being-confirmed = Un pago de este pedido se está confirmando con WebPay. Su resultado aparecerá en esta página en breve; no es necesario pagar de nuevo.
order-too-many-attempts = Este pedido se intentó pagar demasiadas veces; comuníquese con soporte.
order-payment-superseded = Se inició un pago más reciente de este pedido en otra ventana; continúe allí.
order-webpay-not-started = WebPay no pudo iniciar el pago en este momento. No se cobró nada; vuelva a intentarlo en breve.
order-unmatched-return = Este retorno de pago no corresponde a ningún pedido. No se cargó nada a ningún pedido.
order-payment-not-available-yet = El pago en línea todavía no está disponible. Comuníquese con nosotros para pagar este pedido.
order-payment-switched-off = El pago en línea está desactivado en este momento. Vuelva a intentarlo más tarde.
order-not-taken-test = Este fue un pago de PRUEBA, hecho en el ambiente de integración de Transbank. Esta tienda no acepta pagos de prueba, así que no paga el pedido.
order-not-taken-already-paid = Este pago de { $paid } (orden WebPay { $buy_order }) se aprobó cuando este pedido ya estaba pagado, así que no era necesario.
order-not-taken-order-canceled = Este pago de { $paid } se aprobó después de que se anuló el pedido, así que no lo paga.
order-not-taken-total-changed = WebPay aprobó { $paid }, pero entretanto el total del pedido había cambiado a { $total }, así que no paga el pedido.
order-not-taken-other-answer = WebPay aprobó { $amount } para la orden WebPay { $buy_order }, que no es lo que pidió este intento, así que no paga el pedido.
order-outcome-not-needed = Este pago no era necesario.
order-outcome-approved = Pago aprobado.
order-outcome-rejected = Su tarjeta fue rechazada. No se cobró dinero; puede intentarlo de nuevo con otra tarjeta.
order-outcome-cancelled = Usted anuló el pago en WebPay. El pedido sigue esperando el pago.
order-outcome-timed-out = El formulario de WebPay expiró antes de que se hiciera el pago. Puede intentarlo de nuevo.
order-outcome-form-error = WebPay informó un error en su formulario de pago. No se cobró dinero; intente de nuevo.
order-outcome-superseded = Este intento de pago fue reemplazado por uno más reciente. No se cobró dinero por él: WebPay carga una tarjeta aprobada solo cuando la tienda confirma el intento, y este no se confirmó.
order-outcome-verifying = No recibimos respuesta de WebPay a tiempo. Estamos verificando el pago; esta página mostrará el resultado.
order-outcome-refunding = { $reason } Se está reembolsando en su totalidad a través de WebPay.
order-outcome-refunded = { $reason } Se reembolsó en su totalidad a través de WebPay.
order-outcome-refund-needed = { $reason } Se reembolsará en su totalidad; nuestro equipo ya está al tanto y se está encargando.
order-outcome-unverified = WebPay no pudo confirmar este pago. Nuestro equipo lo está revisando con Transbank; si se cobró dinero, se reembolsará.
order-outcome-not-finished = El pago se inició en WebPay pero no se terminó.
order-outcome-not-completed = No se pudo completar el pago. No se cobró dinero; puede intentarlo de nuevo.
order-refund-not-paid = Solo se puede reembolsar un pedido pagado.
order-refund-not-through-webpay = Este pedido no se pagó a través de WebPay.
order-refund-amount-out-of-range = Reembolse entre 1 y { $left } pesos (lo que queda de este pago).
order-refund-refused-by-webpay = WebPay rechazó el reembolso: { $message }
order-refund-not-through = El reembolso no se concretó: { $reason }.
order-refund-still-sending = El reembolso de { $amount } del pedido { $number } todavía se está enviando a WebPay; regístrelo solo si no llega respuesta.
order-refund-already-settled = El reembolso de { $amount } del pedido { $number } ya está resuelto.
order-attention-not-waiting-for-setup = El pedido { $number } no está esperando ser preparado.
order-attention-subscriptions-not-created = No se pudieron crear las suscripciones del pedido: { $reason }
order-attention-no-refund-waiting = La orden WebPay { $buy_order } no tiene un reembolso pendiente.
order-attention-being-refunded = La orden WebPay { $buy_order } ya se está reembolsando.
order-attention-refund-not-done = El reembolso no se concretó.
order-attention-not-waiting-to-be-checked = La orden WebPay { $buy_order } no está esperando revisión.

## Facturas
invoice-title = Factura { $number }
invoice-credits-invoice = Hace referencia a la factura
invoice-issued-by = Emitida por
invoice-type = Tipo
invoice-kind-credit-invoice = Nota de crédito
invoice-kind-invoice = Factura
invoice-date = Fecha
invoice-customer = Cliente
invoice-billed-by = Facturada por
invoice-status = Estado
invoice-payment = Pago
invoice-test-tag = PRUEBA
invoice-test-payment = pagada en el ambiente de integración (de prueba) de WebPay: sin dinero real
invoice-billing-period = Período de facturación
invoice-item = Ítem
invoice-usage = Uso
invoice-period = Período
invoice-quantity = Cantidad
invoice-unit-price = Precio unitario
invoice-total = Total
invoice-subtotal = Subtotal
invoice-credit-invoices = Notas de crédito
invoice-status-paid = pagada
invoice-status-unpaid = pendiente de pago
invoice-type-debit = factura
invoice-type-credit = nota de crédito

## Cuentas (la página de una cuenta; las tablas que también muestra Mi cuenta)
accounts-no-subscriptions = Todavía no hay suscripciones.
accounts-yes = Sí
accounts-no = No
accounts-subscription = Suscripción
accounts-product = Producto
accounts-quantity = Cantidad
accounts-status = Estado
accounts-term-ends = Fin del plazo
accounts-auto-renew = Renovación automática
accounts-no-invoices = Todavía no hay facturas.
accounts-invoice = Factura
accounts-date = Fecha
accounts-type = Tipo
accounts-total = Total
accounts-suspended-notice = Esta cuenta está suspendida: sus usuarios no pueden iniciar sesión ni comprar. Sus suscripciones no se modifican.
accounts-code = Código
accounts-billed-by = Facturada por
accounts-currency = Moneda
accounts-users = Usuarios
accounts-manage-users = Administrar usuarios e invitaciones
accounts-name = Nombre
accounts-email = Correo electrónico
accounts-role = Rol
accounts-subscriptions = Suscripciones
accounts-invoices = Facturas
accounts-no-discounts = Sin descuentos: la facturación cobra los precios de lista.
accounts-discount-everything = Todo
accounts-sure = Seguro
accounts-remove = Quitar
accounts-discount = Descuento
accounts-discount-on = Sobre
accounts-discount-percent = Porcentaje
accounts-discounts = Descuentos
accounts-discounts-intro = La facturación agrega cada descuento como una línea «Descuento» negativa: un porcentaje de los cargos del mes (sin contar los compromisos mínimos).
accounts-discount-description = Descripción en la factura
accounts-add-discount = Agregar descuento
accounts-discount-added = Se agregó el descuento; la próxima facturación lo aplica.
accounts-discount-confirm = Marque «Seguro» para quitar el descuento.
accounts-discount-removed = Se quitó el descuento.
accounts-role-customer-user = Usuario cliente
accounts-role-customer-admin = Administrador cliente
accounts-role-reseller-admin = Administrador revendedor
accounts-role-provider-admin = Administrador del proveedor
accounts-tier-provider = Proveedor
accounts-tier-reseller = Revendedor
accounts-tier-customer = Cliente

## Suscripciones
subscription-no-changes = Todavía no hay cambios.
subscription-history-addon = (complemento)
subscription-history-who = { $name } ({ $kind })
subscription-history-when = Cuándo
subscription-history-subscription = Suscripción
subscription-history-what = Qué
subscription-history-old = Antes
subscription-history-new = Después
subscription-history-who-heading = Quién
subscription-history-revoked = revocado
subscription-history-failed = falló: { $reason }
subscription-history-scheduled = programado: { $action }
subscription-history-action-on = { $action } el { $date }
subscription-history-action-on-to = { $action } el { $date } (a { $quantity })
subscription-history-created = cantidad { $quantity }, plazo del { $from } al { $to }
subscription-history-ramp-up = inicio { $from }, fin { $to }, { $months ->
    [one] { $months } mes
   *[other] { $months } meses
}
subscription-actor-user = Cliente
subscription-actor-reseller = Revendedor
subscription-actor-admin = Administrador
subscription-actor-system = Sistema
subscription-field-created = creación
subscription-field-status = estado
subscription-field-quantity = cantidad
subscription-field-ramp-up = adopción gradual
subscription-field-ramp-up-end = fin de la adopción gradual
subscription-field-term-end-date = fin del plazo
subscription-field-addon-added = complemento agregado
subscription-field-future-action = cambio programado
subscription-status-active = activa
subscription-status-pending-for-cancel = por cancelarse
subscription-status-canceled = cancelada
subscription-status-suspended = suspendida
subscription-notice-cancel-at-end = Esta suscripción se cancelará al final del plazo, el { $date }.
subscription-notice-addon-cancel-at-end = { $name } se cancelará al final del plazo, el { $date }.
subscription-notice-cancel-on = Esta suscripción se cancelará el { $date }.
subscription-notice-addon-cancel-on = { $name } se cancelará el { $date }.
subscription-notice-quantity = La cantidad de esta suscripción cambia a { $quantity } en la renovación del { $date }.
subscription-notice-addon-quantity = La cantidad de { $name } cambia a { $quantity } en la renovación del { $date }.
subscription-revoke-scheduled = Revocar este cambio programado
subscription-ramp-up-active = { $months ->
    [one] { $months } mes
   *[other] { $months } meses
}, del { $from } al { $to } (activa: se exime el compromiso mínimo)
subscription-ramp-up-ended-on = { $months ->
    [one] { $months } mes
   *[other] { $months } meses
}, del { $from } al { $to } (terminada)
subscription-extend-ramp-up-by = Extender la adopción gradual en
subscription-months = { $months ->
    [one] { $months } mes
   *[other] { $months } meses
}
subscription-extend-ramp-up = Extender adopción gradual
subscription-cancel-now-confirm = Entiendo que esto cancela la suscripción ahora.
subscription-cancel-now = Cancelar ahora
subscription-option-cancel-at-end = Cancelar al final del plazo
subscription-option-change-quantity = Cambiar la cantidad en la próxima renovación
subscription-option-cancel-on-date = Cancelar en una fecha que elijo
subscription-schedule-heading = Programar un cambio
subscription-schedule-change = Cambio
subscription-schedule-date = Fecha (para una cancelación en una fecha elegida)
subscription-schedule-new-quantity = Nueva cantidad (para un cambio en la renovación)
subscription-schedule = Programar
subscription-lower-quantity-to = Bajar la cantidad a
subscription-lower-quantity = Bajar cantidad
subscription-suspend = Suspender
subscription-resume = Reanudar
subscription-addon-quantity-label = Cantidad de { $name } desde la próxima renovación
subscription-addon-cancel-at-end = Cancelar { $name } al final del plazo
subscription-change-at-renewal = Cambiar en la renovación
subscription-term-range = del { $from } al { $to }
subscription-yes = Sí
subscription-no = No
subscription-product = Producto
subscription-status = Estado
subscription-quantity = Cantidad
subscription-term = Plazo
subscription-auto-renew = Renovación automática
subscription-external-id = ID externo
subscription-reservation = Reserva
subscription-ramp-up = Adopción gradual
subscription-cancellation = Cancelación
subscription-addons = Complementos
subscription-addon = Complemento
subscription-term-ends = Fin del plazo
subscription-scheduled = Programado
subscription-no-addons = Sin complementos.
subscription-history = Historial
subscription-price-with-cost = { $price } { $per } (su costo { $cost })
subscription-price = { $price } { $per }
subscription-no-price = sin precio en el catálogo
subscription-renews-from = { $price } desde el { $from }
subscription-price-this-term = Precio de este plazo
subscription-renews-at = Se renueva a
subscription-choose-change = Elija qué cambio programar.
subscription-date-format = Ingrese la fecha como AAAA-MM-DD.
subscription-new-quantity-whole = La nueva cantidad debe ser un número entero.
subscription-scheduled-flash = Programado: { $action } el { $date }.
subscription-revoked-flash = Se revocó el cambio programado: { $action }.
subscription-quantity-whole = La cantidad debe ser un número entero.
subscription-more-through-catalogue = Para comprar más licencias use el catálogo (un pedido), no esta página.
subscription-quantity-now = La cantidad ahora es { $quantity }.
subscription-tick-to-cancel = Marque la confirmación para cancelar la suscripción ahora.
subscription-canceled-with-credit = Se canceló la suscripción. Se emitió la nota de crédito { $number } por { $amount }.
subscription-canceled-flash = Se canceló la suscripción.
subscription-choose-suspend-or-resume = Elija si suspender o reanudar.
subscription-suspended-flash = La suscripción está suspendida.
subscription-resumed-flash = La suscripción está activa de nuevo.
subscription-choose-months = Elija cuántos meses agregar.
subscription-ramp-up-now-ends = El período de adopción gradual ahora termina el { $end }.

## Reglas y rechazos de las suscripciones
subscription-action-cancellation-on-end = cancelación al final del plazo
subscription-action-change-qty-on-next = cambio de cantidad en la próxima renovación
subscription-action-cancellation-on-specific = cancelación en una fecha elegida
subscription-ramp-up-too-long = Un período de adopción gradual dura como máximo { $months } meses.
subscription-ramp-up-no-minimum-commitment = Solo los productos de consumo con compromiso mínimo tienen período de adopción gradual.
subscription-ramp-up-trial = Las suscripciones de prueba no tienen período de adopción gradual.
subscription-ramp-up-none-to-extend = Esta suscripción no tiene un período de adopción gradual que extender.
subscription-ramp-up-ended = El período de adopción gradual terminó el { $end }; no se puede reactivar.
subscription-ramp-up-extension-months = Extienda entre 1 y { $months } meses.
subscription-ramp-up-beyond-limit = Un período de adopción gradual termina como máximo { $max } meses después del inicio ({ $limit }); el { $end } más { $months ->
    [one] { $months } mes
   *[other] { $months } meses
} es el { $new_end }.
subscription-schedule-pending-for-cancel = Esto ya se está cancelando al final de su plazo.
subscription-schedule-suspended = Esto está suspendido; reanúdelo antes de programar un cambio.
subscription-schedule-canceled = Esto está cancelado.
subscription-schedule-already-scheduled = Ya hay un cambio programado para el { $date } ({ $action }); revóquelo primero.
subscription-schedule-no-cancellation-at-end = Su política de cancelación no permite cancelar al final del plazo.
subscription-schedule-needs-auto-renew = Un cambio de cantidad en la renovación requiere la renovación automática activada.
subscription-schedule-not-prepaid = Un cambio de cantidad en la renovación es solo para suscripciones prepagadas.
subscription-schedule-quantity-missing = Ingrese la cantidad para el próximo plazo.
subscription-schedule-quantity-out-of-range = La nueva cantidad debe estar entre 1 y { $max }.
subscription-same-quantity = La cantidad ya es { $quantity }.
subscription-schedule-date-missing = Elija la fecha en que la cancelación toma efecto.
subscription-schedule-date-not-after-today = Elija una fecha posterior a hoy.
subscription-schedule-date-after-term = Elija una fecha dentro del plazo actual (hasta el { $term_end }).
subscription-schedule-not-cancellable-on = No se puede cancelar el { $date }: { $policy }
subscription-change-quantity-purchase = comprar más licencias
subscription-change-quantity-decrease = bajar la cantidad
subscription-change-upgrade = subir de plan
subscription-change-downgrade = bajar de plan
subscription-change-suspend = suspenderla
subscription-change-cancel = cancelarla
subscription-blocked = Hay un cambio de cantidad programado para el { $date }; revóquelo antes de { $change }.
subscription-quantity-out-of-range = La cantidad debe estar entre 1 y { $max }.
subscription-quantity-would-leave-range = La cantidad debe seguir entre 1 y { $max }.
subscription-quantity-needs-active = Solo puede cambiar la cantidad de una suscripción activa.
subscription-reservation-terms = Una reserva necesita un plazo de 1 o 3 años y una forma de pago.
subscription-not-an-addon = { $product } no es un complemento.
subscription-addon-needs-active = Los complementos solo se pueden agregar a una suscripción activa.
subscription-not-active = { $name } no está activa.
subscription-not-active-to-suspend = Solo se puede suspender una suscripción activa.
subscription-not-suspended = No está suspendida.
subscription-already-canceled = Ya está cancelada.
subscription-addon-on-date = Un complemento se cancela al final del plazo o junto con su suscripción.
subscription-scheduled-meanwhile = Se programó otra acción hace un momento; revóquela primero.
subscription-action-already-pending = Esta acción ya está pendiente.
subscription-action-already-executed = Esta acción ya se ejecutó.
subscription-action-already-revoked = Esta acción ya fue revocada.
subscription-action-already-failed = Esta acción ya falló.
subscription-action-being-run = Esta acción se está ejecutando en este momento y ya no se puede revocar.

## La política de cancelación
subscription-policy-perpetual-returnable = Puede devolver esta licencia perpetua con reembolso total hasta el { $last_day } (30 días desde la compra). Solo se puede devolver la cantidad completa.
subscription-policy-perpetual-window-ended = Esta licencia perpetua ya no se puede devolver: el plazo de 30 días para el reembolso terminó el { $last_day }.
subscription-policy-software-cancellable = Puede cancelar esta suscripción de software hasta el { $last_day }, con efecto inmediato y un crédito proporcional por el tiempo no usado. Solo se puede cancelar la cantidad completa.
subscription-policy-software-window-ended = El plazo de devolución de esta suscripción de software terminó el { $last_day }; sigue activa hasta que su plazo termine el { $term_end }.
subscription-policy-licence = Cancele ahora (con un crédito proporcional) o al final del plazo, el { $term_end }. También puede bajar la cantidad, hasta 1.
subscription-policy-consumption = Las suscripciones de consumo se cancelan al final del período de facturación ({ $period_end }); se factura el uso hasta entonces.
subscription-policy-reserved-instance = Una instancia reservada corre por todo su plazo (hasta el { $term_end }) y no se puede cancelar aquí. Microsoft puede permitir un cambio o un reembolso proporcional según sus propias reglas (hay un límite anual de reembolsos); comuníquese con soporte para consultarlo.
