# Correos: las palabras propias del diseño y el asunto, los párrafos, la acción y las líneas finales de cada carta.
# Un correo se escribe en el idioma de quien lo recibe (el que eligió el usuario, si no el de la marca).

mail-greeting = Hola, { $name }:
mail-greeting-no-name = Hola:
mail-questions = ¿Preguntas? Escriba a { $address }

mail-sign-in-action = Iniciar sesión

mail-reset-subject = Restablezca su contraseña
mail-reset-paragraph = Alguien pidió restablecer la contraseña de { $email }. El enlace de abajo funciona una sola vez, durante { $minutes } minutos. Al elegir una contraseña nueva, se cerrarán sus sesiones en todos los demás lugares.
mail-reset-action = Elegir una contraseña nueva
mail-reset-after = Si usted no lo pidió, ignore este mensaje: su contraseña seguirá siendo la misma.

mail-verify-subject = Confirme su dirección de correo electrónico
mail-verify-paragraph = Confirme que { $email } es su dirección. El enlace funciona una sola vez, durante { $hours } horas.
mail-verify-action = Confirmar mi dirección
mail-verify-after = Si usted no creó una cuenta, ignore este mensaje.

mail-role-customer-user = usuario del cliente
mail-role-customer-admin = administrador del cliente
mail-role-reseller-admin = administrador del revendedor
mail-role-provider-admin = administrador del proveedor

mail-invitation-subject = Le invitamos a { $account } en { $brand }
mail-invitation-paragraph = { $inviter } le invitó a unirse a { $account } en { $brand } como { $role }. El enlace de abajo funciona una sola vez, durante { $days } días: elija una contraseña y podrá ingresar.
mail-invitation-action = Aceptar la invitación
mail-invitation-after = Si no esperaba este mensaje, ignórelo: no pasará nada a menos que siga el enlace.

mail-first-admin-subject = Le invitamos a { $brand }
mail-first-admin-paragraph = Usted es el administrador de { $account } en { $brand }. Siga el enlace para elegir su contraseña; funciona una sola vez, durante { $days } días.
mail-first-admin-after = Si no esperaba este mensaje, ignórelo.

mail-signup-taken-subject = Alguien se registró con su dirección
mail-signup-taken-paragraph = Alguien intentó crear una cuenta nueva con { $email }, que ya tiene una. No se creó nada.
mail-signup-taken-after = Si olvidó su contraseña, elija «¿Olvidó su contraseña?» en la página de inicio de sesión.

mail-notice-password-changed-subject = Se cambió su contraseña
mail-notice-password-set-subject = Se agregó una contraseña a su cuenta
mail-notice-password-removed-subject = Se eliminó su contraseña
mail-notice-provider-connected-subject = Se conectó { $provider } a su cuenta
mail-notice-provider-disconnected-subject = Se desconectó { $provider } de su cuenta
mail-notice-passkey-added-subject = Se agregó una llave de acceso a su cuenta
mail-notice-passkey-removed-subject = Se eliminó una llave de acceso de su cuenta
mail-notice-locked-subject = Se bloqueó su cuenta
mail-notice-authenticator-connected-subject = Se conectó una aplicación de autenticación a su cuenta
mail-notice-authenticator-removed-subject = Se eliminó la aplicación de autenticación de su cuenta
mail-notice-recovery-renewed-subject = Se generaron nuevos códigos de recuperación para su cuenta
mail-notice-recovery-used-subject = Se usó un código de recuperación para iniciar sesión
mail-notice-factors-reset-subject = Un administrador restableció sus segundos factores

mail-notice-password-changed = Se cambió la contraseña de { $email }.
mail-notice-password-reset = La contraseña de { $email } se restableció mediante un enlace enviado por correo; se cerraron todas las demás sesiones.
mail-notice-password-set = Se estableció una contraseña para { $email }: ahora puede iniciar sesión con contraseña.
mail-notice-password-removed = Se eliminó la contraseña de { $email }: ahora solo inicia sesión a través de sus proveedores de identidad.
mail-notice-provider-connected = Ahora se puede iniciar sesión en { $email } con { $provider }.
mail-notice-provider-disconnected = Ya no se puede iniciar sesión en { $email } con { $provider }.
mail-notice-passkey-added = Ahora se puede iniciar sesión en { $email } con la llave de acceso «{ $passkey }». Si usted no la agregó, elimínela en Mi cuenta → Llaves de acceso (una contraseña nueva por sí sola no basta) y luego cambie su contraseña.
mail-notice-passkey-removed = Ya no se puede iniciar sesión en { $email } con la llave de acceso «{ $passkey }».
mail-notice-locked = { $email } se bloqueó tras demasiadas contraseñas o códigos de segundo factor incorrectos, hasta el { $until }. Si no fue usted, cambie su contraseña cuando se desbloquee: los códigos incorrectos indican que alguien la conocía.
mail-notice-authenticator-connected = Se conectó una aplicación de autenticación a { $email }: al iniciar sesión con su contraseña, ahora también se pedirá un código de la aplicación.
mail-notice-authenticator-removed = Se eliminó la aplicación de autenticación de { $email }, junto con sus códigos de recuperación: al iniciar sesión con su contraseña ya no se pedirá un código.
mail-notice-recovery-renewed = Se generaron nuevos códigos de recuperación para { $email }; los anteriores ya no funcionan.
mail-notice-recovery-used = Se usó un código de recuperación para iniciar sesión en { $email }; { $left ->
        [one] queda { $left }
       *[other] quedan { $left }
    }. Genere nuevos en Opciones de inicio de sesión cuando queden pocos.
mail-notice-factors-reset = Un administrador eliminó la aplicación de autenticación, los códigos de recuperación y las llaves de acceso de { $email }, tal como se pidió al perderlos. Vuelva a configurar un segundo factor en Opciones de inicio de sesión.
mail-notice-action = Revisar sus opciones de inicio de sesión
mail-notice-after = Si no fue usted, restablezca su contraseña e informe a su administrador.

mail-invoice-subject = Factura { $number }
mail-invoice-paragraph = La factura { $number } se emitió el { $issued }: { $total }, IVA incluido.
mail-invoice-paragraph-period = La factura { $number } del período { $period } se emitió el { $issued }: { $total }, IVA incluido.
mail-invoice-action = Ver la factura

mail-receipt-subject = Pago recibido del pedido { $number }
mail-receipt-paragraph = Recibimos su pago de { $total } por el pedido { $number }. Muchas gracias.
mail-receipt-authorization = Código de autorización: { $code }.
mail-receipt-action = Ver el pedido

mail-connect-subject = Inicie sesión con { $provider }
mail-connect-paragraph = Ahora puede iniciar sesión con su cuenta de { $provider }. Conéctela una vez desde Opciones de inicio de sesión y luego use «Iniciar sesión con { $provider }» en la página de inicio de sesión.
mail-connect-paragraph-later = Es posible que más adelante se desactive el inicio de sesión con contraseña: si la conecta ahora, conservará su acceso.
mail-connect-action = Abrir Opciones de inicio de sesión

mail-approved-subject = Su cuenta en { $brand } está lista
mail-approved-paragraph = { $brand } aprobó la cuenta de { $account }. Ya puede iniciar sesión y comprar.

# Administración → Bandeja de salida: lo que queda de un mensaje enviado que contenía un enlace de un solo uso.
mail-outbox-blanked = (Este mensaje contenía un enlace de un solo uso. Su texto se eliminó una vez enviado.)
