# El área de administración del proveedor (grupo D): menú, cuentas, usuarios, seguridad del inicio de sesión, eventos de seguridad.

admin-nav-label = Administración
admin-nav-accounts = Cuentas
admin-nav-resellers = Revendedores
admin-nav-users = Usuarios y bloqueos
admin-nav-security = Seguridad del inicio de sesión
admin-nav-identity-providers = Proveedores de identidad
admin-nav-authentication = Opciones de autenticación
admin-nav-security-events = Eventos de seguridad
admin-nav-audit = Registro de auditoría
admin-nav-brands = Marcas
admin-nav-payments = Pagos
admin-nav-catalogue = Catálogo
admin-nav-prices = Precios
admin-nav-attention = Pedidos que requieren atención
admin-nav-usage = Importar consumo
admin-nav-billing = Proceso de facturación
admin-nav-jobs = Tareas
admin-nav-outbox = Bandeja de salida
admin-nav-reports = Informes
admin-nav-api-clients = Clientes de la API

admin-save = Guardar
admin-col-code = Código
admin-col-email = Correo electrónico
admin-col-name = Nombre
admin-col-status = Estado
admin-col-action = Acción
admin-col-actions = Acciones
admin-col-when = Cuándo
admin-col-user = Usuario
admin-col-order = Pedido
admin-col-amount = Monto
admin-col-reason = Motivo
admin-col-total = Total
admin-test-tag = PRUEBA

admin-tier-provider = Proveedor
admin-tier-reseller = Revendedor
admin-tier-customer = Cliente
admin-role-customer-user = Usuario de cliente
admin-role-customer-admin = Administrador de cliente
admin-role-reseller-admin = Administrador de revendedor
admin-role-provider-admin = Administrador del proveedor

admin-accounts-title = Administración · Cuentas
admin-accounts-account = Cuenta
admin-accounts-type = Tipo
admin-accounts-branding = Marca propia
admin-accounts-branding-enabled = Activada

admin-users-title = Administración · Usuarios
admin-users-locked-until = Bloqueado hasta el { $until }
admin-users-active = Activo
admin-users-unlock = Desbloquear
admin-users-unlock-label = Desbloquear a { $email }
admin-users-reset = Restablecer segundos factores
admin-users-reset-label = Restablecer los segundos factores de { $email }
admin-users-role = Rol
admin-users-unlocked = { $email } puede volver a iniciar sesión.

admin-security-title = Administración · Seguridad del inicio de sesión
admin-security-max-failed = Intentos fallidos de contraseña antes de bloquear una cuenta (3–25)
admin-security-minutes = Minutos que una cuenta permanece bloqueada (1–1440)
admin-security-max-not-number = Los intentos fallidos antes del bloqueo deben ser un número entero.
admin-security-minutes-not-number = El tiempo de bloqueo debe ser un número entero de minutos.
admin-security-max-out-of-range = Los intentos fallidos antes del bloqueo deben estar entre 3 y 25 (ingresó { $value }).
admin-security-minutes-out-of-range = El tiempo de bloqueo debe estar entre 1 y 1440 minutos (ingresó { $value }).
admin-security-saved = Seguridad del inicio de sesión guardada.

admin-events-title = Administración · Eventos de seguridad
admin-events-empty = Aún no hay eventos de seguridad.
admin-events-event = Evento
admin-events-detail = Detalle
admin-events-address = Dirección
admin-event-sign-in = inicio de sesión
admin-event-sign-in-failed = inicio de sesión fallido
admin-event-locked-out = bloqueado
admin-event-sign-out = cierre de sesión
admin-event-unlocked = desbloqueado
admin-event-password-changed = contraseña cambiada
admin-event-settings-changed = configuración de autenticación cambiada
admin-event-idp-sign-in = inicio de sesión con proveedor de identidad
admin-event-idp-sign-in-failed = inicio de sesión con proveedor de identidad fallido
admin-event-linked = identidad vinculada
admin-event-unlinked = identidad desvinculada
admin-event-link-refused = vinculación de identidad rechazada
admin-event-registered = registrado por proveedor de identidad
admin-event-reauthenticated = reautenticado
admin-event-other-sessions-ended = otras sesiones cerradas
admin-event-session-ended = sesión cerrada
admin-event-password-set = contraseña establecida
admin-event-password-removed = contraseña eliminada
admin-event-authenticator-connected = app de autenticación conectada
admin-event-authenticator-removed = app de autenticación eliminada
admin-event-recovery-codes-renewed = códigos de recuperación renovados
admin-event-recovery-code-used = código de recuperación usado
admin-event-second-factor-failed = segundo factor fallido
admin-event-second-factors-reset = segundos factores restablecidos
admin-event-passkey-added = llave de acceso agregada
admin-event-passkey-removed = llave de acceso eliminada
admin-event-passkey-clone-suspected = posible clon de llave de acceso

# Administración → Pedidos que requieren atención.
admin-attention-title = Administración · Pedidos que requieren atención
admin-attention-nothing = Nada requiere atención: todos los pagos están resueltos.
admin-attention-retry = Reintentar
admin-attention-refund-link = Reembolsar…
admin-attention-refund-in-full = Reembolsar { $amount } completo a través de WebPay
admin-attention-refund = Reembolsar
admin-attention-checked-in-portal = Lo revisé en el portal de Transbank
admin-attention-mark-checked = Marcar como revisado
admin-attention-check-with-webpay = Consultar a WebPay
admin-attention-refund-lost = Se perdió la respuesta de WebPay. Cuenta como reembolsado hasta que el estado en WebPay lo resuelva; entonces se emite su nota de crédito.
admin-attention-refund-lost-expired = Se perdió la respuesta de WebPay y WebPay ya no informa el estado de este pago (7 días). Búsquelo en el portal de Transbank y registre lo que muestra.
admin-attention-portal-shows = El portal de Transbank muestra que
admin-attention-was-refunded = fue reembolsado
admin-attention-was-not-refunded = no fue reembolsado
admin-attention-record = Registrar
admin-attention-orders-heading = Pedidos pagados sin activar
admin-attention-orders-intro = El cliente pagó, pero no se pudieron crear las suscripciones del pedido (no se creó ninguna). Corrija la causa y luego presione Reintentar; o reembolse el pedido.
admin-attention-paid = Pagado
admin-attention-transactions-heading = Pagos WebPay por reembolsar o revisar
admin-attention-webpay-order = Orden de compra WebPay
admin-attention-refunds-heading = Reembolsos en verificación
admin-attention-asked = Solicitado
admin-attention-back-to-payments = ← Pagos
admin-attention-retried = El pedido { $number } quedó activado: se crearon sus suscripciones.
admin-attention-tick-to-refund = Marque la confirmación para reembolsar.
admin-attention-tick-to-mark = Marque la confirmación para marcarlo como revisado.
admin-attention-choose-outcome = Elija lo que muestra el portal de Transbank: reembolsado o no.
admin-attention-tick-to-record = Marque la confirmación para registrarlo.

# Administración → Proceso de facturación.
admin-billing-title = Administración · Proceso de facturación
admin-billing-see-progress = Ver su avance
admin-billing-intro = Emite una factura de cargo por cuenta para un mes ya terminado: licencias y complementos (prorrateados en meses parciales; los anuales, en el mes en que empieza su año de plazo), el consumo del plan Azure del mes calendario, el consumo Azure heredado hasta el día de corte CSP de cada cuenta, los complementos de compromiso mínimo salvo que una rampa los exima, y los descuentos. Las cuentas ya facturadas en el mes no se tocan, así que ejecutarlo de nuevo no agrega nada. El proceso sigue en segundo plano: su página muestra el avance y Administración → Tareas lo lista.
admin-billing-month = Mes (AAAA-MM)
admin-billing-run = Ejecutar facturación
admin-billing-vat = IVA
admin-billing-vat-intro = Los precios de lista son netos. El IVA se agrega como una línea propia en carros, pedidos, facturas y comprobantes, a esta tasa, redondeado hacia arriba desde la mitad a la unidad más pequeña de la moneda (el peso). Un cambio se aplica a carros, pedidos y facturas desde ahora; los pedidos realizados y las facturas emitidas conservan su tasa.
admin-billing-vat-rate = Tasa de IVA (%)
admin-billing-save-vat = Guardar tasa de IVA
admin-billing-bad-vat = La tasa de IVA es un porcentaje entre 0 y 100, como 19 o 10,5.
admin-billing-vat-set = La tasa de IVA ahora es { $rate }.
admin-billing-bad-period = «{ $shown }» no es un período de facturación: escriba el mes como AAAA-MM, por ejemplo 2026-10.
admin-billing-not-ended = { $period } se puede facturar cuando haya terminado, a partir del { $from }.
admin-job-busy = Ya hay un proceso de facturación de { $period } en curso (tarea { $job }): espere a que termine.

# Administración → Catálogo.
admin-catalogue-title = Catálogo
admin-catalogue-new-product = Nuevo producto
admin-catalogue-empty = Aún no hay productos: cree el primero.
admin-catalogue-product = Producto
admin-catalogue-kind = Tipo
admin-catalogue-vendor = Fabricante
admin-catalogue-family = Familia
admin-catalogue-cycle-and-term = Ciclo y plazo
admin-catalogue-subscriptions = Suscripciones
admin-kind-license-subscription = Suscripción de licencias
admin-kind-consumption = Consumo
admin-kind-perpetual-license = Licencia perpetua
admin-kind-software-subscription = Suscripción de software
admin-kind-reserved-instance = Instancia reservada
admin-kind-addon = Complemento
admin-family-other = Otra
admin-cycle-monthly = Mensual
admin-cycle-annual = Anual
admin-cycle-one-time = Pago único
admin-cycle-reservation = Reserva: 1 o 3 años
admin-cycle-and-term = { $cycle } · { $months ->
    [one] plazo de 1 mes
   *[other] plazo de { $months } meses
}
admin-product-field-code = Código
admin-product-field-name = Nombre
admin-product-field-vendor = Fabricante
admin-product-field-family = Familia
admin-product-field-usage-family = Familia de consumo
admin-product-field-kind = Tipo
admin-product-field-billing-cycle = Ciclo de facturación
admin-product-field-term = Plazo
admin-product-field-minimum-commitment = Compromiso mínimo
admin-product-field-base-product = Producto base
admin-product-field-reservation-types = Tipos de reserva
admin-product-field-scopes = Ámbitos
admin-product-field-regions = Regiones
admin-product-field-ri-reservation-type = Tipo de reserva preseleccionado
admin-product-field-ri-term = Plazo preseleccionado
admin-product-field-ri-scope = Ámbito preseleccionado
admin-product-field-ri-region = Región preseleccionada
admin-product-field-description = Descripción
admin-product-field-confirm = Confirmo
admin-product-field-product = Producto
admin-product-field-error = { $field }: { $message }
admin-product-published = publicado
admin-product-unpublished = no publicado
admin-product-years = { $years ->
    [one] { $years } año
   *[other] { $years } años
}
admin-product-none = Ninguno
admin-product-ri-legend = Instancia reservada (solo para ese tipo)
admin-product-ri-intro = Lo que ofrece la reserva. Sus plazos (1 o 3 años) y planes de pago son aquellos para los que tiene precios.
admin-product-reservation-types = Tipos de reserva (uno por línea)
admin-product-regions = Regiones (una por línea, como brazilsouth)
admin-product-code-label = Código (A–Z, 0–9 y -, de 2 a { $max }; no se puede cambiar después)
admin-product-code = Código:
admin-product-no-base = Ninguno (no es un complemento)
admin-product-create = Crear el producto
admin-product-term-label = Plazo en meses (1–{ $max })
admin-product-minimum-label = Compromiso mínimo mensual (solo consumo; en la unidad menor de la moneda del suscriptor, en blanco si no hay)
admin-product-base-label = Producto base (solo complementos; un complemento tiene un producto base)
admin-product-usage-label = Familia de consumo en las facturas (como Azure Plan, MS Azure, Microsoft 365)
admin-product-new-title = Nuevo producto
admin-product-new-intro = Un producto nuevo queda sin publicar: publíquelo cuando tenga sus precios.
admin-product-back = Volver al catálogo
admin-product-created = { $name } ({ $code }) creado, sin publicar.
admin-product-in-use-now = { $count ->
    [one] 1 suscripción (no cancelada) lo usa. Mientras alguna lo use, su tipo, plazo y ciclo de facturación no pueden cambiar.
   *[other] { $count } suscripciones (no canceladas) lo usan. Mientras alguna lo use, su tipo, plazo y ciclo de facturación no pueden cambiar.
}
admin-product-published-before = Publicado: los clientes lo ven en el
admin-product-published-link = catálogo
admin-product-published-after = y pueden comprarlo.
admin-product-unpublish = Despublicar: dejar de venderlo
admin-product-unpublished-says = No publicado: no está en el catálogo y no se vende. Las suscripciones que lo usan siguen funcionando y facturándose.
admin-product-publish = Publicar: venderlo
admin-product-title = Producto { $name }
admin-product-details = Detalles
admin-saved-name = { $name } guardado.
admin-product-choose-status = Elija publicado o no publicado.
admin-product-now-published = { $name } está publicado: se vende en el catálogo.
admin-product-now-unpublished = { $name } ya no está publicado: no se vende; sus suscripciones siguen funcionando.

# Administración → Tareas.
admin-job-kind-billing-run = Proceso de facturación
admin-job-kind-usage-import = Importación de consumo
admin-job-kind-price-import = Importación de lista de precios
admin-job-progress-queued = Esperando que una instancia la inicie.
admin-job-progress-billing = { $done } de { $total } cuentas listas, { $issued } factura(s) emitida(s), { $problems ->
    [0] sin problemas
    [one] 1 problema
   *[other] { $problems } problemas
}{ $running ->
    [yes] {" hasta ahora"}
   *[no] {""}
}.
admin-job-progress-usage = { $done } de { $total } filas listas, { $issued } importadas, { $problems ->
    [0] sin problemas
    [one] 1 problema
   *[other] { $problems } problemas
}{ $running ->
    [yes] {" hasta ahora"}
   *[no] {""}
}.
admin-job-progress-prices-done = { $issued } de { $total } precios fijados, { $problems ->
    [0] sin problemas
    [one] 1 problema
   *[other] { $problems } problemas
}{ $running ->
    [yes] {" hasta ahora"}
   *[no] {""}
}.
admin-job-progress-prices = { $total } precios por fijar, todos o ninguno, { $problems ->
    [0] sin problemas
    [one] 1 problema
   *[other] { $problems } problemas
}{ $running ->
    [yes] {" hasta ahora"}
   *[no] {""}
}.
admin-job-queued = En cola
admin-job-interrupted = Interrumpida: su instancia dejó de responder; otra instancia la toma y la reanuda
admin-job-running = En curso
admin-job-done = Terminada
admin-job-failed = Fallida
admin-jobs-title = Administración · Tareas
admin-jobs-job-title = { $kind } { $parameters }
admin-jobs-page-title = Administración · { $job }
admin-jobs-intro = Los procesos de facturación y las importaciones que se inician aquí corren en segundo plano: puede salir de su página y volver.
admin-jobs-empty = Aún no se ha iniciado ningún proceso de facturación ni importación.
admin-jobs-job = Tarea
admin-jobs-progress = Avance
admin-jobs-started-by = Iniciada por
admin-jobs-created = Creada
admin-jobs-started = Iniciada
admin-jobs-finished = Terminada
admin-jobs-more-problems = … y { $count } más.
admin-jobs-problems = Problemas
admin-jobs-invoices-issued = Facturas emitidas
admin-jobs-invoice = Factura
admin-jobs-reload-note = Esta página se recarga sola mientras la tarea corre. Puede salir: la tarea sigue y Administración → Tareas la lista.
admin-jobs-all = Todas las tareas

# Administración → Bandeja de salida.
admin-mail-password-reset = Restablecimiento de contraseña
admin-mail-email-verification = Verificación de correo electrónico
admin-mail-security-notice = Aviso de seguridad
admin-mail-invoice-issued = Factura emitida
admin-mail-payment-receipt = Comprobante de pago
admin-mail-connect-invitation = Invitación a conectarse
admin-mail-user-invitation = Invitación a unirse
admin-mail-account-approved = Cuenta aprobada
admin-outbox-sent = Enviado el { $at }
admin-outbox-failed = Falló tras { $attempts } intentos: { $reason }
admin-outbox-kept = Guardado aquí: no hay un servidor SMTP configurado
admin-outbox-retrying = Esperando reintentar el { $at } ({ $attempts } intentos hasta ahora): { $reason }
admin-outbox-waiting = Esperando envío
admin-outbox-smtp = El correo se envía a través de { $server } desde { $from }.
admin-outbox-no-smtp = No hay un servidor SMTP configurado (--smtp-url o [smtp] url): los mensajes se guardan aquí y no se envían.
admin-outbox-title = Administración · Bandeja de salida
admin-outbox-empty = Aún no se ha escrito ningún correo.
admin-outbox-written = Escrito
admin-outbox-to = Para
admin-outbox-subject = Asunto
admin-outbox-message = Mensaje
admin-outbox-message-title = Administración · Mensaje de la bandeja de salida
admin-outbox-view-html = Ver la parte HTML
admin-outbox-hidden = Este mensaje contiene un enlace de un solo uso destinado solo a su destinatario, por lo que su texto no se muestra.
admin-outbox-send-again = Enviar de nuevo
admin-outbox-from = De
admin-outbox-back = Volver a la bandeja de salida
admin-outbox-will-resend = El mensaje para { $to } se enviará de nuevo.
admin-outbox-not-failed = Ese mensaje no ha fallado: no hay nada que reenviar.

# Administración → Pagos.
admin-stored-secret = Guardada: { $stored }. Déjela vacía para conservarla.
admin-payments-test-demo = Esta pasarela es el ambiente de integración (pruebas) de Transbank: sus pagos se marcan como PRUEBA. Con --demo cuentan como pagados.
admin-payments-test-paid = Esta pasarela es el ambiente de integración (pruebas) de Transbank: sus pagos se marcan como PRUEBA y aquí cuentan como pagados.
admin-payments-test-refunded = Esta pasarela es el ambiente de integración (pruebas) de Transbank: sus pagos se marcan como PRUEBA, no pagan pedidos aquí y se reembolsan de inmediato.
admin-payments-title = Administración · Pagos
admin-payments-commerce-code = Código de comercio
admin-payments-secret = Llave secreta (API key secret)
admin-payments-environment = Ambiente
admin-payments-integration = Integración (servidor de pruebas de Transbank)
admin-payments-production = Producción
admin-payments-other-url = Otra URL base (el simulador, un proxy):
admin-payments-base-url = URL base
admin-payments-active = Recibir pagos en línea
admin-payments-count-test = Contar los pagos de PRUEBA (ambiente de integración de Transbank) como pagados — solo para una instalación de staging
admin-payments-log = Registro de transacciones WebPay
admin-payments-test-connection = Probar la conexión (crea una transacción de 1 peso)
admin-payments-saved = Se guardó la configuración de WebPay.
admin-payments-test-works = La conexión funciona: { $host } creó una transacción de prueba.
admin-payments-test-refused = WebPay rechazó las credenciales (401 { $message }): revise el código de comercio y la llave secreta.
admin-payments-test-failed = La prueba falló: { $error }.
admin-payments-search-too-long = Busque por número de pedido u orden de compra (máximo 40 caracteres).
admin-payments-log-title = Administración · Transacciones WebPay
admin-payments-log-empty = Ninguna llamada ni retorno de WebPay coincide.
admin-payments-back = ← Configuración de WebPay
admin-payments-search-label = Pedido u orden de compra
admin-payments-search = Buscar
admin-payments-buy-order = Orden de compra
admin-payments-call-or-return = Llamada o retorno
admin-payments-outcome = Resultado

# Administración → Revendedores.
admin-resellers-status-active = Activo
admin-resellers-status-suspended = Suspendido
admin-resellers-status-pending = Espera aprobación
admin-resellers-title = Revendedores
admin-resellers-new = Nuevo revendedor
admin-resellers-empty = Aún no hay revendedores.
admin-resellers-currency = Moneda
admin-resellers-first-admin = Su primer administrador (invitado por correo electrónico)
admin-resellers-create = Crear el revendedor
admin-resellers-created = Revendedor { $name } creado; su primer administrador fue invitado por correo electrónico.
admin-resellers-suspended-says = Este revendedor está suspendido: sus usuarios no pueden iniciar sesión y su dominio propio responde «no disponible temporalmente». Sus clientes conservan el servicio, inician sesión en el dominio del proveedor y no se les factura hasta que se reactive.
admin-resellers-reactivate = Reactivar el revendedor
admin-resellers-active-says = Este revendedor está activo. Suspenderlo cierra la sesión de sus usuarios y cierra su tienda; sus clientes conservan el servicio, pero no se les factura mientras esté suspendido.
admin-resellers-suspend = Suspender el revendedor
admin-resellers-title-one = Revendedor { $name }
admin-resellers-account-page = Página de la cuenta
admin-resellers-users = Usuarios
admin-resellers-now-suspended = { $name } está suspendido.
admin-resellers-now-active = { $name } está activo de nuevo.

# Administración → Importar consumo.
admin-usage-too-large = El archivo pesa más de { $megabytes } MB.
admin-usage-not-utf8 = El archivo no es texto UTF-8.
admin-usage-not-csv = El archivo no es CSV: { $why }
admin-usage-wrong-header = La primera línea debe ser: { $header }
admin-usage-title = Administración · Importar consumo
admin-usage-intro-before = Un archivo CSV cuya primera línea es
admin-usage-intro-after = subscription es el id externo de la suscripción; amount y cost son pesos enteros; reference es única por fila, así que importar un archivo dos veces no agrega nada. La importación corre en segundo plano: su página muestra el avance y Administración → Tareas la lista.
admin-usage-file = Archivo de consumo (CSV, máximo 5 MB)
admin-usage-import = Importar
admin-upload-unreadable = No se pudo leer el archivo subido. Elíjalo de nuevo.
admin-usage-choose-file = Elija un archivo CSV.

# El registro de auditoría (Administración → Registro de auditoría, y Clientes → Registro de auditoría para un revendedor).
admin-audit-the-provider = el proveedor
admin-audit-title = Registro de auditoría
admin-audit-intro = Cada cambio administrativo: quién lo hizo, cuándo, desde dónde y qué cambió (antes → después; los secretos nunca se muestran).
admin-audit-empty = Aún no se ha registrado ningún cambio administrativo.
admin-audit-who = Quién
admin-audit-change = Cambio
admin-audit-of = De
admin-audit-what-changed = Qué cambió
admin-audit-from = Desde

# Administración → Proveedores de identidad, Opciones de autenticación.
admin-yes = Sí
admin-no = No
admin-on = Activado
admin-off = Desactivado
admin-idp-kind-oidc = OpenID Connect
admin-idp-title = Administración · Proveedores de identidad
admin-idp-deactivate-label = Desactivar { $name }
admin-idp-activate-label = Activar { $name }
admin-idp-deactivate = Desactivar
admin-idp-activate = Activar
admin-idp-active = Activo
admin-idp-inactive = Inactivo
admin-idp-hidden = {" · oculto"}
admin-idp-add = Agregar un proveedor de identidad
admin-idp-empty = Aún no hay proveedores de identidad. Agregue Microsoft Entra ID, Google o cualquier proveedor OpenID.
admin-idp-provider = Proveedor
admin-idp-kind = Tipo
admin-idp-state = Estado
admin-idp-automatic-registration = Registro automático
admin-idp-callback-url = URL de retorno
admin-idp-upload-logo-label = Subir un logo (PNG, JPEG, WebP o SVG, máximo 100 KB)
admin-idp-upload-logo = Subir logo
admin-idp-callback-register = URL de retorno (redirección) que debe registrar en el proveedor:
admin-idp-issuer = URL del emisor
admin-idp-issuer-hint = Google: déjela vacía para usar https://accounts.google.com. Entra ID multiinquilino: use …/organizations/v2.0 e indique los inquilinos más abajo.
admin-idp-client-id = Id de cliente
admin-idp-client-secret = Secreto de cliente
admin-idp-tenants = Ids de inquilino permitidos (Entra ID, uno por línea)
admin-idp-hosted-domain = Dominio alojado (Google, opcional)
admin-idp-logo-url = URL del logo (opcional; los logos de Microsoft y Google vienen incluidos; vacía conserva un logo subido)
admin-idp-active-check = Activo (primero verifica el descubrimiento y las llaves de firma)
admin-idp-visible-check = Visible en la página de inicio de sesión y en Opciones de inicio de sesión
admin-idp-auto-register-check = Permitir el registro automático de usuarios desconocidos
admin-idp-trust-unverified-check = Registrar con correos que el proveedor no marca como verificados (Entra ID rara vez los marca; su lista de inquilinos responde por sus usuarios)
admin-idp-add-title = Administración · Agregar un proveedor de identidad
admin-idp-edit-title = Administración · { $name }
admin-idp-updated = { $name } fue actualizado.
admin-idp-added = { $name } fue agregado.
admin-idp-not-activated = { $name } no fue activado. { $reason }
admin-idp-now-active = { $name } está activo.
admin-idp-last-active = { $name } es el último proveedor activo y el inicio de sesión con contraseña está desactivado: nadie podría iniciar sesión. Active primero Permitir inicio de sesión local.
admin-idp-now-inactive = { $name } está inactivo.
admin-idp-choose-image = Elija un archivo de imagen.
admin-idp-logo-updated = Se actualizó el logo de { $name }.
admin-auth-title = Administración · Opciones de autenticación
admin-auth-local-off = Permitir inicio de sesión local está desactivado: las personas inician sesión solo con un proveedor de identidad externo.
admin-auth-turn-on = Activar Permitir inicio de sesión local
admin-auth-local-on = Permitir inicio de sesión local está activado.
admin-auth-needs-provider = Solo se puede desactivar mientras haya al menos un proveedor de identidad externo activo.
admin-auth-activate-one = Active uno primero.
admin-auth-everyone-linked = Todos los usuarios tienen un vínculo con un proveedor externo activo o una llave de acceso.
admin-auth-users-without-link = { $count ->
    [one] 1 usuario no tiene vínculo con un proveedor externo activo ni llave de acceso, y no podría iniciar sesión hasta vincular uno o hasta que usted vuelva a activar esto:
   *[other] { $count } usuarios no tienen vínculo con un proveedor externo activo ni llave de acceso, y no podrían iniciar sesión hasta vincular uno o hasta que usted vuelva a activar esto:
}
admin-auth-understand = { $count ->
    [one] Entiendo que 1 usuario no podrá iniciar sesión con contraseña.
   *[other] Entiendo que { $count } usuarios no podrán iniciar sesión con contraseña.
}
admin-auth-turn-off = Desactivar Permitir inicio de sesión local
admin-auth-sign-up = Registro
admin-auth-allow-sign-up = Permitir el registro (los clientes nuevos crean su cuenta en la tienda; en el dominio propio de un revendedor, como clientes de ese revendedor)
admin-auth-needs-approval = Las cuentas nuevas esperan la aprobación de su vendedor
admin-auth-save-sign-up = Guardar registro
admin-auth-shell-before = Desde la consola del servidor,
admin-auth-shell-after = lo vuelve a activar.
admin-auth-choose-on-off = Elija activado o desactivado.
admin-auth-activate-first = Active un proveedor de identidad externo antes de desactivar Permitir inicio de sesión local.
admin-auth-tick-to-turn-off = Marque la confirmación para desactivar Permitir inicio de sesión local.
admin-auth-password-on = El inicio de sesión con contraseña está activado.
admin-auth-password-off = El inicio de sesión con contraseña está desactivado.
admin-auth-second-factor = Segundo factor
admin-auth-require-second-factor = Exigir un segundo factor (una app de autenticación) después de la contraseña
admin-auth-second-factor-off = No: cualquiera puede agregar uno
admin-auth-second-factor-admins = Para administradores del proveedor y de revendedores
admin-auth-second-factor-everyone = Para todos
admin-auth-save-second-factor = Guardar segundo factor
admin-auth-second-factor-note = Un usuario al que se aplica y que no tiene app de autenticación es enviado a configurar una justo después de iniciar sesión con contraseña, y no puede hacer nada más hasta terminar. Los inicios de sesión a través de un proveedor de identidad (Azure AD, Google, …) son responsabilidad de ese proveedor: exija allí la autenticación multifactor. Una llave de acceso es dos factores por sí sola. A un usuario que perdió todos sus factores se le ayuda desde Administración → Usuarios → Restablecer segundos factores.
admin-auth-choose-second-factor = Elija quién debe tener un segundo factor: nadie, los administradores o todos.
admin-auth-second-factor-not-required = No se exige un segundo factor.
admin-auth-second-factor-admins-set = Los administradores deberán tener un segundo factor desde su próximo inicio de sesión.
admin-auth-second-factor-everyone-set = Todos deberán tener un segundo factor desde su próximo inicio de sesión.
admin-auth-choose-sign-up = Elija activado o desactivado para el registro y para la aprobación.
admin-auth-sign-up-open = El registro está abierto.
admin-auth-sign-up-closed = El registro está cerrado.

# Rechazos del formulario de proveedor de identidad.
admin-idp-issuer-not-url = El emisor debe ser una URL como https://login.example.com.
admin-idp-issuer-not-plain = El emisor debe ser una URL simple, con un host y sin parámetros.
admin-idp-issuer-not-https = El emisor debe usar https (http simple solo para 127.0.0.1, localhost o [::1]).
admin-idp-name-length = Dé al proveedor un nombre de 1 a { $max } caracteres.
admin-idp-kind-unknown = El tipo debe ser azure_ad, google u oidc.
admin-idp-issuer-too-long = La URL del emisor es demasiado larga.
admin-idp-client-id-missing = Ingrese el id de cliente (id de aplicación) que le dio el proveedor.
admin-idp-client-secret-too-long = El secreto de cliente es demasiado largo.
admin-idp-client-secret-missing = Ingrese el secreto de cliente.
admin-idp-tenant-not-guid = Los ids de inquilino son GUID como 72f988bf-86f1-41af-91ab-2d7cd011db47.
admin-idp-tenants-needed = Un proveedor Entra ID multiinquilino necesita la lista de ids de inquilino que pueden iniciar sesión.
admin-idp-tenants-entra-only = Los ids de inquilino se aplican solo a proveedores Microsoft Entra ID.
admin-idp-hosted-domain-google-only = Un dominio alojado se aplica solo a proveedores Google.
admin-idp-hosted-domain-invalid = El dominio alojado debe ser un dominio como example.com.
admin-idp-logo-invalid = El logo debe ser la dirección https:// de una imagen, o una ruta bajo /static/ o /brand-assets/.
admin-idp-name-taken = Ya hay otro proveedor llamado { $name }.
admin-idp-not-activated-reason = No se activó: { $reason }

# Rechazos del formulario de configuración de WebPay.
admin-payments-bad-commerce-code = El código de comercio es el número que le dio Transbank, por ejemplo 597055555532.
admin-payments-secret-again = Ingrese de nuevo la llave secreta: el ambiente cambia, y la llave guardada solo se envía al ambiente para el que se ingresó.
admin-payments-bad-secret = La llave secreta es una sola palabra de máximo 200 caracteres.
admin-payments-bad-environment = El ambiente es integration, production o una URL base http(s)://.

# Descuentos (Cuentas → Descuentos; las reglas viven con el proceso de facturación).
admin-discount-describe = Describa el descuento como debe aparecer en la factura (máximo 200 caracteres).
admin-discount-bad-percent = Escriba el descuento como un porcentaje mayor que 0 y de máximo 100, por ejemplo 5 o 12,5.
admin-discount-no-product = No hay ningún producto con el código «{ $code }».

# Las llamadas y retornos del registro de transacciones WebPay.
admin-payments-action-create = creación
admin-payments-action-commit = confirmación
admin-payments-action-status = estado
admin-payments-action-refund = reembolso
admin-payments-action-return = retorno

# El resumen de una tarea.
admin-job-summary-billing = Proceso de facturación de { $period }: { $issued } factura(s) emitida(s); { $nothing } cuenta(s) sin nada que facturar.
admin-job-summary-already-billed = Ya facturadas en { $period }, no se tocaron: { $accounts }.
admin-job-summary-skipped = No facturadas, su revendedor está suspendido (un proceso de { $period } después de reactivarlo las factura): { $accounts }.
admin-job-summary-usage = { $imported } fila(s) importada(s), { $refused } rechazada(s).
