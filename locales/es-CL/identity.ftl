# Identidad: inicio de sesión, registro, restablecimiento de contraseña, segundo factor, llaves de acceso, Mi cuenta.

## Inicio y cierre de sesión
login-title = Iniciar sesión
login-email = Correo electrónico
login-password = Contraseña
login-submit = Iniciar sesión
login-forgot = ¿Olvidó su contraseña?
login-local-off = El inicio de sesión con contraseña está desactivado. Use uno de los botones de inicio de sesión.
login-new-here = ¿Es nuevo aquí?
login-create-account = Cree una cuenta
login-with-provider = Iniciar sesión con { $provider }
login-too-many = Demasiados intentos de inicio de sesión desde su red. Espere { $seconds } segundos e inténtelo de nuevo.
login-failed = Ese correo electrónico y contraseña no funcionaron. Después de varios intentos fallidos, la cuenta se bloquea por un tiempo, cada vez más largo; el botón de inicio de sesión de un proveedor de identidad conectado a la cuenta sigue funcionando, y su administrador puede desbloquearla.
login-sign-out-title = Cerrar sesión
login-sign-out-question = ¿Desea cerrar sesión?
login-sign-out-button = Cerrar sesión

## Por qué alguien no puede iniciar sesión
identity-user-deactivated = Este usuario fue desactivado. Consulte al administrador de su cuenta.
identity-invitation-not-accepted = Esta invitación aún no ha sido aceptada: siga el enlace de su correo.
identity-account-suspended = Esta cuenta está suspendida. Consulte a su proveedor.
identity-account-pending-approval = Esta cuenta espera aprobación. Recibirá un correo cuando sea aprobada.
identity-provider-switched-off = Este proveedor de identidad está desactivado aquí.
identity-sign-up-closed = El registro está cerrado.
identity-no-new-accounts = Esta tienda no acepta cuentas nuevas por ahora.
identity-too-many-attempts = Demasiados intentos. Espere { $seconds } segundos e inténtelo de nuevo.
identity-too-many-requests = Demasiadas solicitudes desde su red. Espere { $seconds } segundos e inténtelo de nuevo.
identity-too-many-flows = Demasiados inicios de sesión comenzados desde su red. Espere { $seconds } segundos e inténtelo de nuevo.

## Campos de formularios
identity-name-missing = Ingrese un nombre.
identity-name-too-long = Un nombre tiene como máximo { $count } caracteres.
identity-name-control-characters = Un nombre no puede contener caracteres de control.
identity-email-missing = Ingrese su correo electrónico.
identity-email-too-long = Un correo electrónico tiene como máximo { $count } caracteres.
identity-email-invalid = Ingrese un correo electrónico como nombre@ejemplo.cl.
identity-password-too-short = La nueva contraseña debe tener al menos { $count } caracteres.
identity-password-too-long = La nueva contraseña puede tener como máximo { $count } caracteres.
identity-password-only-spaces = La nueva contraseña no puede ser solo espacios.
identity-password-mismatch = Las dos contraseñas nuevas no coinciden.

## Proveedores de identidad (OpenID Connect)
oidc-no-pending-flow = Esta respuesta de inicio de sesión no corresponde a un inicio de sesión comenzado aquí, o ya fue usada. Comience de nuevo.
oidc-expired = El inicio de sesión tardó más de 10 minutos y expiró. Comience de nuevo.
oidc-wrong-provider = La respuesta vino de un proveedor de identidad distinto del que eligió. Comience de nuevo.
oidc-state-mismatch = No se pudo asociar la respuesta de inicio de sesión con la sesión de su navegador. Comience de nuevo.
oidc-provider-error = El proveedor de identidad no inició su sesión ({ $code }). Inténtelo de nuevo.
oidc-token-not-verified = No se pudo verificar la respuesta del proveedor de identidad: { $reason }.

## Llaves de acceso (rechazos)
passkey-unavailable = Las llaves de acceso no están disponibles en este servidor: su dirección pública ({ $address }) no es un nombre de host. Las llaves de acceso necesitan uno, como localhost o tienda.ejemplo.cl.
passkey-not-an-answer = La solicitud no parece una respuesta de llave de acceso ({ $reason }). Recargue la página e inténtelo de nuevo.
passkey-no-ceremony = No hay ninguna solicitud de llave de acceso pendiente en este navegador (ya se usó o expiró). Comience de nuevo.
passkey-refused = La respuesta de la llave de acceso no fue aceptada ({ $reason }). Comience de nuevo.
passkey-unknown = Esta llave de acceso no está registrada aquí. Inicie sesión de otra forma y agréguela en Mi cuenta → Llaves de acceso.
passkey-cloned = Esta llave de acceso fue rechazada: su contador de firmas no avanzó, señal de que pudo haber sido copiada. Inicie sesión de otra forma, elimínela y agregue una nueva.
passkey-already-registered = Esta llave de acceso ya está registrada.
passkey-too-many = Ya tiene { $count } llaves de acceso: elimine una primero.
passkey-name-missing = Dele un nombre a la llave de acceso, como el dispositivo en que está.
passkey-name-too-long = El nombre de una llave de acceso tiene como máximo { $count } caracteres de texto simple.

## Restablecimiento de contraseña (rechazos)
reset-link-not-valid = Este enlace expiró o ya fue usado. Solicite uno nuevo.

## App de autenticación (rechazos)
second-factor-enrol-wrong-code = Ese código no coincidió. Escriba los seis dígitos que su app muestra ahora (cambian cada 30 segundos).
second-factor-enrol-start-again = Comience de nuevo: elija Conectar junto a App de autenticación.

## Cambio de contraseña (rechazos)
account-no-password-yet = Aún no tiene contraseña. Defina una en Opciones de inicio de sesión → Local → Conectar, después de confirmar que es usted.
account-current-password-refused = Su contraseña actual no fue aceptada: es incorrecta, su cuenta está bloqueada tras varios intentos fallidos o el inicio de sesión con contraseña está desactivado.

## Restablecimiento de contraseña y confirmación del correo
reset-back-to-sign-in = Volver a iniciar sesión
reset-ask-title = ¿Olvidó su contraseña?
reset-ask-intro = Ingrese el correo electrónico con que inicia sesión. Le enviaremos un enlace para elegir una nueva contraseña.
reset-email = Correo electrónico
reset-send-link = Enviar el enlace
reset-email-missing = Ingrese el correo electrónico con que inicia sesión.
reset-check-mail-title = Revise su correo
reset-request-answer = Si esa dirección pertenece a una cuenta que inicia sesión con contraseña, va en camino un enlace para elegir una nueva. Funciona una vez, durante 30 minutos.
reset-choose-title = Elija una nueva contraseña
reset-choose-intro = Una nueva contraseña para { $email }. Al elegirla, se cerrarán sus sesiones en todos los demás lugares.
reset-new-password = Nueva contraseña
reset-new-password-again = Repita la nueva contraseña
reset-set-password = Guardar la nueva contraseña
reset-link-not-valid-title = Enlace no válido
reset-ask-new-link = Solicitar un nuevo enlace
reset-sign-in = Iniciar sesión
reset-changed-title = Contraseña cambiada
reset-changed-but = Su contraseña fue cambiada. { $reason }
reset-changed = Su contraseña fue cambiada y se cerraron todas las demás sesiones.
reset-address-confirmed-title = Dirección confirmada
reset-address-confirmed = Gracias: { $email } está confirmado.
reset-verify-link-not-valid = Este enlace expiró o ya fue usado.

## Registro
signup-title = Crear cuenta
signup-you = Usted
signup-with-provider-intro = Regístrese con la cuenta que ya usa en su trabajo, e inicie sesión con ella desde ahora:
signup-with-provider = Registrarse con { $provider }
signup-or-with-password = O con su correo electrónico y una contraseña
signup-your-name = Su nombre
signup-your-email = Su correo electrónico
signup-password = Contraseña
signup-password-again = Repita la contraseña
signup-create = Crear mi cuenta
signup-your-company = Su empresa
signup-company-name = Razón social
signup-country = País
signup-tax-id = RUT (identificador tributario)
signup-billing-email = Correo electrónico de facturación
signup-already = ¿Ya tiene una cuenta?
signup-sign-in = Iniciar sesión
signup-signed-in-as = Usted inició sesión como { $email }. Cierre sesión primero para crear otra cuenta.
signup-signed-in = Usted inició sesión: cierre sesión primero para crear otra cuenta.
signup-password-off = El registro con contraseña está desactivado aquí: elija un proveedor de identidad.
signup-too-many = Demasiados registros desde su red. Espere { $seconds } segundos e inténtelo de nuevo.
signup-too-many-started = Demasiados registros comenzados desde su red. Espere { $seconds } segundos e inténtelo de nuevo.
signup-check-your-mail = Gracias. Revise su correo: enviamos un mensaje a la dirección que indicó. Una vez confirmada su dirección (y, donde la tienda revisa las cuentas nuevas, aprobada su cuenta), podrá iniciar sesión y comprar.
signup-already-confirmed = Su correo electrónico ya está confirmado.
signup-link-sent-again = Le enviamos nuevamente el enlace de confirmación.
signup-links-this-hour = Ya enviamos varios enlaces en esta hora: use el más reciente.
signup-choose-country = Elija un país de la lista.
signup-country-cl = Chile
signup-country-ar = Argentina
signup-country-bo = Bolivia
signup-country-br = Brasil
signup-country-co = Colombia
signup-country-ec = Ecuador
signup-country-es = España
signup-country-mx = México
signup-country-pe = Perú
signup-country-us = Estados Unidos
signup-country-uy = Uruguay

## Invitar a los usuarios a conectar un proveedor de identidad
invitation-counts = { $provider }: { $invited ->
        [one] { $invited } invitado
       *[other] { $invited } invitados
    }, { $connected ->
        [one] { $connected } conectado desde entonces
       *[other] { $connected } conectados desde entonces
    }, { $without ->
        [one] { $without } aún sin vínculo con un proveedor activo.
       *[other] { $without } aún sin vínculo con un proveedor activo.
    }
invitation-invite = { $count ->
        [one] Invitar a { $count } usuario a conectar { $provider }
       *[other] Invitar a { $count } usuarios a conectar { $provider }
    }
invitation-heading = Informe a sus usuarios
invitation-intro = A cada usuario sin vínculo con un proveedor de identidad activo se le puede enviar una invitación con su marca para conectar uno, una vez por proveedor. También ven un aviso en Mi cuenta hasta que lo conecten o lo descarten.
invitation-no-provider = No hay ningún proveedor de identidad activo: active uno primero.
invitation-sent = { $count ->
        [one] Se envió { $count } invitación.
       *[other] Se enviaron { $count } invitaciones.
    }
invitation-notice-before = Ahora puede iniciar sesión con { $provider }. Conéctelo en{" "}
invitation-notice-link = Opciones de inicio de sesión
invitation-notice-after = {" "}más abajo.
invitation-dismiss = Descartar

## Segundo factor (app de autenticación)
second-factor-code-title = Ingrese su código
second-factor-code-intro = Su contraseña era correcta. Ahora ingrese el código de seis dígitos que muestra su app de autenticación, o uno de sus códigos de recuperación.
second-factor-code = Código
second-factor-code-submit = Iniciar sesión
second-factor-code-lost = ¿Perdió su teléfono y sus códigos de recuperación? Pida a su administrador que restablezca sus segundos factores.
second-factor-start-again = Este inicio de sesión tardó demasiado o no comenzó aquí. Inicie sesión de nuevo.
second-factor-wrong-code = Ese código no funcionó: es incorrecto, ya fue usado o su cuenta está bloqueada tras varios intentos fallidos. Los códigos de la app cambian cada 30 segundos; cada código de recuperación funciona una sola vez.
second-factor-set-up-title = Configurar una app de autenticación
second-factor-required-before = Su administrador exige un segundo factor después de la contraseña. Configure una app de autenticación para continuar, o{" "}
second-factor-required-sign-out = cierre sesión
second-factor-required-after = {" "}(e inicie sesión con una llave de acceso, si tiene una: por sí sola equivale a dos factores).
second-factor-step-scan = 1. En una app de autenticación (Google Authenticator, Microsoft Authenticator, 1Password, …) agregue una cuenta escaneando este código:
second-factor-qr-alt = Código QR para configurar su app de autenticación
second-factor-type-key = O escriba esta clave en la app:
second-factor-step-code = 2. Ingrese el código de seis dígitos que la app muestra ahora
second-factor-connect-app = Conectar la app
second-factor-connected-already = Su app de autenticación ya está conectada.
second-factor-confirm-first = Confirme primero que es usted: elija nuevamente Conectar junto a App de autenticación.
second-factor-connected = Su app de autenticación está conectada.
second-factor-recovery-title = Sus códigos de recuperación
second-factor-recovery-keep = Guarde estos códigos de recuperación en un lugar seguro (imprímalos o guárdelos en un gestor de contraseñas). Cada uno funciona una vez, en lugar de un código de la app, si pierde su teléfono. Solo se muestran ahora.
second-factor-recovery-saved = Ya los guardé
second-factor-removed-set-up-new = Su app de autenticación fue eliminada. Su administrador exige una: configure la nueva ahora.
second-factor-removed = Su app de autenticación fue eliminada, junto con sus códigos de recuperación.
second-factor-recovery-renewed = Nuevos códigos de recuperación: los anteriores ya no funcionan.
second-factor-own-factors = Sus propios segundos factores se cambian en Mi cuenta → Opciones de inicio de sesión, después de confirmar que es usted.
second-factor-reset-stranded = No tiene contraseña ni un proveedor de identidad conectado: después de esto no podrá iniciar sesión hasta que usted lo invite de nuevo o conecte la cuenta de un proveedor mediante una invitación. Un restablecimiento de contraseña por correo necesita una contraseña que reemplazar.
second-factor-reset-title = Administración · Restablecer segundos factores
second-factor-reset-question = ¿Restablecer los segundos factores de { $name } ({ $email })? Se eliminan su app de autenticación, sus códigos de recuperación y sus llaves de acceso, se le avisa por correo y el restablecimiento queda registrado como evento de seguridad. Hágalo solo cuando esté seguro de que es esa persona quien lo pide (devuélvale la llamada a un número que ya tenga).
second-factor-reset-button = Restablecer segundos factores
second-factor-reset-cancel = Cancelar
second-factor-reset-done = Los segundos factores de { $email } fueron restablecidos y sus sesiones cerradas; se le avisó por correo.
second-factor-reset-nothing = { $email } no tenía ningún segundo factor que restablecer.

## Llaves de acceso
passkey-used-at = Las llaves de acceso se usan en { $address }: abra esta página allí.
passkey-added-and-used-at = Las llaves de acceso se agregan y se usan en { $address }.
passkey-confirm-first = Confirme primero que es usted.
passkey-added = Se agregó la llave de acceso “{ $name }”.
passkey-last-way = Esta llave de acceso es su única forma de iniciar sesión, por lo que no se puede eliminar. Agregue otra llave de acceso, conecte un proveedor o defina una contraseña primero.
passkey-removed = La llave de acceso fue eliminada. Se cerraron todas sus demás sesiones.
passkey-another-user = Esta llave de acceso pertenece a otro usuario. Cierre sesión primero para iniciar sesión con ella.
passkey-never = Nunca
passkey-none-yet = Aún no tiene llaves de acceso.
passkey-remove-named = Eliminar { $name }
passkey-remove = Eliminar
passkey-name = Nombre
passkey-added-on = Agregada
passkey-last-used = Último uso
passkey-action = Acción
passkey-new-name = Nombre de la nueva llave de acceso
passkey-new-name-example = Notebook del trabajo
passkey-add = Agregar una llave de acceso
passkey-needs-script = Las llaves de acceso necesitan JavaScript y un navegador compatible. Todo lo demás aquí funciona sin él.
passkey-heading = Llaves de acceso
passkey-intro = Una llave de acceso inicia su sesión con el bloqueo de pantalla de su dispositivo o una llave de seguridad, sin escribir su correo ni una contraseña. Cuenta como una forma de ingresar: la última no se puede eliminar.
passkey-sign-in = Iniciar sesión con una llave de acceso
passkey-sign-in-needs-script = Iniciar sesión con una llave de acceso necesita JavaScript.
passkey-confirm-intro = Puede confirmar que es usted con una de sus llaves de acceso.
passkey-confirm = Confirmar con una llave de acceso
passkey-confirm-needs-script = Confirmar con una llave de acceso necesita JavaScript.
passkey-js-server-answered = El servidor respondió { $status }. Inténtelo de nuevo.
passkey-js-failed = Eso no funcionó. Inténtelo de nuevo.
passkey-js-cancelled = La solicitud de la llave de acceso fue cancelada o expiró.
passkey-js-exists = Este dispositivo ya tiene una llave de acceso suya aquí.

## Inicio de sesión con un proveedor de identidad, Opciones de inicio de sesión, confirmar que es usted
oidc-unreachable = No es posible comunicarse con { $provider } en este momento. Inténtelo más tarde.
oidc-connect-at = Conecte proveedores de identidad en { $address }: inicie sesión allí y luego abra Mi cuenta → Opciones de inicio de sesión.
oidc-handoff-sign-up = Crear la cuenta de { $company } como cliente de { $seller }, e iniciar sesión con { $provider } desde ahora.
oidc-handoff-join = Unirse a { $account } como { $email }, e iniciar sesión con { $provider } desde ahora.
oidc-handoff-not-valid = Este enlace expiró o no es válido. Comience de nuevo donde estaba.
oidc-handoff-ended = Esto ya no se puede hacer: la invitación o la oferta de la tienda terminó.
oidc-continue-title = Continuar
oidc-continue-with = Continuar con { $provider }
oidc-signed-in-here = Usted inició sesión aquí: cierre sesión primero.
oidc-welcome-created = ¡Bienvenido! Su cuenta fue creada con { $provider }.
oidc-not-registered = No se pudo crear una cuenta aquí con este inicio de sesión de { $provider }. Si ya tiene una cuenta, inicie sesión como lo hace habitualmente y luego conecte { $provider } en Mi cuenta → Opciones de inicio de sesión; si no, consulte a su administrador.
oidc-not-connected = Esta cuenta de { $provider } no está conectada a ninguna cuenta aquí. Inicie sesión como lo hace habitualmente, luego abra Mi cuenta → Opciones de inicio de sesión y elija Conectar junto a { $provider }.
oidc-linked = { $provider } está conectado. Ahora puede iniciar sesión con él.
oidc-already-linked = { $provider } ya estaba conectado.
oidc-linked-to-another-user = Esta cuenta de { $provider } ya está conectada a otro usuario, por lo que no se puede conectar a la suya.
oidc-somebody-else = Usted confirmó con una cuenta de { $provider } distinta de la que tiene conectada.
oidc-welcome-title = Bienvenido
oidc-signed-up-not-yet = Gracias: su cuenta fue creada con { $provider }. { $reason }
oidc-not-signed-up = No se pudo crear una cuenta con este inicio de sesión de { $provider }. Si ya tiene una cuenta aquí, inicie sesión como lo hace habitualmente y conecte { $provider } en Mi cuenta → Opciones de inicio de sesión. Si no, regístrese con su correo electrónico y una contraseña.
oidc-joined = Bienvenido: ya se unió. Inicia sesión con { $provider }.
oidc-joined-not-yet = Ya se unió e inicia sesión con { $provider }. { $reason }
oidc-reauth-reset-again = Es usted: confirme el restablecimiento de nuevo para continuar.
oidc-reauth-disconnect-again = Es usted: elija Desconectar de nuevo para continuar.
oidc-reauth-passkeys-again = Es usted: elija Agregar o Eliminar de nuevo para continuar.
oidc-no-way-to-confirm = No queda ninguna forma de confirmar que es usted. Pida ayuda a su administrador.
oidc-already-linked-now = { $provider } ya está conectado.
oidc-last-way-provider = { $provider } es su única forma de iniciar sesión, por lo que no se puede desconectar. Conecte otro proveedor, defina una contraseña o agregue una llave de acceso primero.
oidc-last-way-password = Su contraseña es su única forma de iniciar sesión, por lo que no se puede desconectar. Conecte otro proveedor, defina una contraseña o agregue una llave de acceso primero.
oidc-unlinked = { $provider } está desconectado.
oidc-password-removed = Su contraseña fue eliminada.
oidc-set-password-title = Definir una contraseña
oidc-new-password = Nueva contraseña
oidc-repeat-password = Repita la nueva contraseña
oidc-set-password = Definir contraseña
oidc-confirm-first-local = Confirme primero que es usted: elija de nuevo Conectar junto a Local.
oidc-password-set = Su contraseña quedó definida: puede iniciar sesión con su correo electrónico y contraseña.
oidc-reauth-title = Confirme que es usted
oidc-reauth-code = Código de su app de autenticación (o un código de recuperación)
oidc-reauth-intro = Por su seguridad, ingrese de nuevo su contraseña antes de cambiar cómo inicia sesión.
oidc-reauth-password = Contraseña
oidc-reauth-continue = Continuar
oidc-nothing-to-confirm = No hay nada que confirmar.
oidc-reauth-wrong-password = Esa contraseña no es correcta.
oidc-reauth-wrong-code = Ese código no funcionó: es incorrecto o ya fue usado.

## Mi cuenta
account-title = Mi cuenta
account-verify-notice = Confirme { $email } con el enlace que le enviamos: podrá comprar una vez confirmado.
account-verify-resend = Enviar el enlace de nuevo
account-profile = Perfil
account-email = Correo electrónico
account-account = Cuenta
account-role = Rol
account-role-customer-user = Usuario cliente
account-role-customer-admin = Administrador cliente
account-role-reseller-admin = Administrador revendedor
account-role-provider-admin = Administrador del proveedor
account-users-of-account = Usuarios de su cuenta
account-name = Nombre
account-save-profile = Guardar perfil
account-profile-saved = Perfil guardado.
account-password = Contraseña
account-current-password = Contraseña actual
account-new-password = Nueva contraseña
account-repeat-password = Repita la nueva contraseña
account-change-password = Cambiar contraseña
account-change-password-note = Al cambiarla se cierran todas sus demás sesiones.
account-password-changed = Su contraseña fue cambiada. Se cerraron todas sus demás sesiones.
account-subscriptions = Suscripciones
account-subscription-changes = Cambios recientes de suscripciones
account-orders = Pedidos
account-invoices = Facturas
account-security-activity = Actividad de seguridad reciente
account-preferences-heading = Idioma y zona horaria
account-preferences-language = Idioma
account-preferences-time-zone = Zona horaria
account-preferences-language-browser = { $language } (el del navegador o, si no, el de la tienda)
account-preferences-time-zone-brand = La de la tienda ({ $zone })
account-preferences-change = Cambiar el idioma y la zona horaria

## Mi cuenta: Opciones de inicio de sesión
account-connect = Conectar
account-disconnect = Desconectar
account-new-recovery-codes = Nuevos códigos de recuperación
account-connect-named = Conectar { $name }
account-disconnect-named = Desconectar { $name }
account-new-recovery-codes-named = Nuevos códigos de recuperación de { $name }
account-local = Local
account-password-sign-in-off = El inicio de sesión con contraseña está desactivado.
account-authenticator-app = App de autenticación
account-authenticator-note = Se pide después de su contraseña. Le quedan { $left } de { $total } códigos de recuperación.
account-authenticator-offer = Un código de su teléfono después de su contraseña: un segundo factor.
account-connected = Conectado
account-not-connected = No conectado
account-login-options = Opciones de inicio de sesión
account-login-options-intro = Las formas en que puede iniciar sesión. Conecte un proveedor para iniciar sesión con él; debe quedar al menos una forma.
account-login-options-state = Estado
account-login-options-logo = Logo
account-login-options-sign-in-with = Iniciar sesión con
account-login-options-action = Acción

## Mi cuenta: sesiones
account-browser-on = { $browser } en { $system }
account-a-browser-on = Un navegador en { $system }
account-unknown-browser = Navegador desconocido
account-session-now = Ahora
account-this-session = Esta sesión
account-session-sign-out = Cerrar sesión
account-address-unknown = desconocida
account-sign-out-others = Cerrar todas las demás sesiones
account-sessions = Sesiones
account-sessions-intro = Dónde tiene la sesión iniciada ahora. ¿Tiene la sesión iniciada en algún lugar que ya no usa, o en un computador que no es suyo? Cierre esa sesión.
account-session-browser = Navegador
account-session-address = Dirección
account-session-signed-in = Inicio de sesión
account-session-last-active = Última actividad
account-end-this-session = Para terminar esta sesión, use Cerrar sesión.
account-session-signed-out = Esa sesión fue cerrada.
account-other-sessions-signed-out = Se cerraron todas sus demás sesiones.

## Mi cuenta: actividad de seguridad
account-no-security-activity = Aún no hay actividad de seguridad.
account-event-when = Cuándo
account-event-what = Qué
account-event-detail = Detalle
account-event-sign-in = inicio de sesión
account-event-sign-in-failed = inicio de sesión fallido
account-event-locked-out = cuenta bloqueada
account-event-sign-out = cierre de sesión
account-event-unlocked = cuenta desbloqueada
account-event-password-changed = contraseña cambiada
account-event-settings-changed = configuración de autenticación cambiada
account-event-idp-sign-in = inicio de sesión con proveedor de identidad
account-event-idp-sign-in-failed = inicio de sesión con proveedor de identidad fallido
account-event-linked = identidad vinculada
account-event-unlinked = identidad desvinculada
account-event-link-refused = vínculo de identidad rechazado
account-event-registered = registrado por proveedor de identidad
account-event-reauthenticated = identidad confirmada de nuevo
account-event-other-sessions-ended = demás sesiones cerradas
account-event-session-ended = sesión cerrada
account-event-password-set = contraseña definida
account-event-password-removed = contraseña eliminada
account-event-authenticator-connected = app de autenticación conectada
account-event-authenticator-disconnected = app de autenticación eliminada
account-event-recovery-codes-renewed = códigos de recuperación renovados
account-event-recovery-code-used = código de recuperación usado
account-event-second-factor-failed = segundo factor fallido
account-event-second-factors-reset = segundos factores restablecidos
account-event-passkey-added = llave de acceso agregada
account-event-passkey-removed = llave de acceso eliminada
account-event-passkey-clone-suspected = posible copia de llave de acceso
passkey-script-only = Esta dirección responde solo al script de llaves de acceso de las páginas de este sitio.
signup-tax-id-missing = Ingrese el RUT o identificador tributario.
signup-tax-id-too-long = Un identificador tributario tiene como máximo { $count } caracteres.
signup-tax-id-not-a-rut = Un RUT se escribe como 76.123.456-7: dígitos, un guion y el dígito verificador (0–9 o K).
signup-tax-id-wrong-verifier = El dígito verificador de este RUT no es correcto: revise el número.
oidc-choose-offered-provider = Elija uno de los proveedores de identidad de la página.
