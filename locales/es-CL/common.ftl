# El marco de todas las páginas: navegación, pie, paginador, totales, páginas de error.

nav-catalogue = Catálogo
nav-cart = Carro
nav-my-account = Mi cuenta
nav-customers = Clientes
nav-admin = Administración
nav-sign-in = Iniciar sesión
nav-sign-out = Cerrar sesión
shell-logo-alt = Logo de { $company }
shell-skip-to-content = Ir al contenido
shell-main-navigation = Principal
footer-support = Soporte:
footer-language = Idioma:

pager-first = « Primera
pager-previous = ← Anterior
pager-next = Siguiente →
pager-last = Última »
pager-pages = Páginas
pager-label = Página { $page } de { $pages } · { $total } en total
pagination-count = { $count ->
    [one] { $count } elemento
   *[other] { $count } elementos
}

totals-subtotal-net = Subtotal (neto)
totals-vat = IVA ({ $rate }%)
totals-total = Total

error-title-not-found = Página no encontrada
error-title-forbidden = No permitido
error-title-too-many = Demasiados intentos
error-title-unavailable = No disponible por ahora
error-title-internal = Algo salió mal
error-title-refused = No pudimos aceptar esa solicitud
error-code = Error { $code }
error-back-to-catalogue = Volver al catálogo
error-not-found = La página que pidió no existe o no le corresponde verla.
error-sign-in-first = Inicie sesión primero.
error-internal = Algo salió mal de nuestro lado. Vuelva a intentarlo en un momento.
error-database-unreachable = No podemos comunicarnos con nuestra base de datos en este momento. Nada de lo que envió se perdió ni quedó a medias; vuelva a intentarlo en un momento.
error-request-not-accepted = La solicitud no fue aceptada.
error-csrf-refused = Este formulario expiró o no vino de este sitio. Vuelva atrás, recargue la página e intente de nuevo.
error-storefront-unavailable = La tienda de { $company } no está disponible por ahora. Vuelva a intentarlo más tarde.
second-factor-required-first = Su administrador exige un segundo factor: configure primero una app de autenticación.

preferences-title = Idioma y zona horaria
preferences-intro = Elija el idioma de las páginas y los correos, y la zona horaria en que se muestran las fechas.
preferences-language = Idioma
preferences-language-browser = El idioma del navegador
preferences-time-zone = Zona horaria
preferences-time-zone-brand = La de la tienda ({ $zone })
preferences-now = Fecha y hora actuales en esta zona horaria: { $now }.
preferences-save = Guardar
preferences-back = Volver a Mi cuenta
preferences-saved = Idioma y zona horaria guardados.
preferences-unknown-language = Elija uno de los idiomas ofrecidos.
preferences-unknown-time-zone = Elija una de las zonas horarias ofrecidas.
