// Español: every key of en.js (js/i18n/index.js loads this chunk only when
// Spanish is chosen). tests/browser/languages.test.mjs checks the keys match.

export default {
  "language.label": "Idioma",
  "shell.skip": "Saltar al contenido",
  "shell.nav": "Principal",
  "shell.create": "Crear",
  "shell.console": "Consola del comité",
  "shell.footer":
    "Las respuestas se reparten en secreto y se cifran en tu navegador; el servidor solo retransmite texto cifrado.",
  "shell.title": "Sotto: votaciones, encuestas y presupuestos privados",
  "shell.badLinkTitle": "Este enlace no se puede usar",
  "shell.cannotStart": "Sotto no pudo arrancar",

  "err.bad_link.title": "Este enlace está incompleto o dañado",
  "err.bad_link.body":
    "Vuelve a copiar el enlace entero del mensaje que recibiste (es largo y termina en r=…), o pide al organizador que lo envíe de nuevo.",
  "err.manifest_mismatch.title": "Puede que esta sesión haya sido manipulada",
  "err.manifest_mismatch.body":
    "La descripción de la sesión en el servidor no coincide con la huella de tu enlace. No respondas. Avisa al organizador, por otro medio, de que el enlace no pasó su comprobación.",
  "err.app_tampered.title": "Esta copia de Sotto no pasó su comprobación de integridad",
  "err.app_tampered.body":
    "Un archivo de la aplicación no coincide con el hash con el que se construyó la página, así que no se ejecutó. No respondas aquí. Vuelve a cargar más tarde o avisa al organizador por otro medio.",
  "err.invalid_answer.title": "La respuesta aún no está completa",
  "err.invalid_answer.body": "Revisa las preguntas resaltadas y vuelve a intentarlo.",
  "err.relay_unreachable.title": "No se puede contactar con el servidor de Sotto",
  "err.relay_unreachable.body":
    "Comprueba tu conexión. Sotto sigue reintentando; nada queda confirmado hasta que lo consiga.",
  "err.already_submitted.title": "Este enlace ya se ha usado",
  "err.already_submitted.body":
    "Cada enlace personal cuenta una vez, y ya se guardó una respuesta con él (tras un problema de conexión, quizá tu propio primer intento). Si no fuiste tú, avisa al organizador.",
  "err.session_closed.title": "Esta sesión está cerrada",
  "err.session_closed.body":
    "Ya no se aceptan respuestas. El organizador comparte el resultado cuando el comité lo haya calculado.",
  "err.unauthorized.title": "El servidor no aceptó este enlace",
  "err.unauthorized.body": "Su código de acceso no vale para esta sesión. Pide al organizador un enlace nuevo.",
  "err.rate_limited.title": "Demasiadas peticiones en poco tiempo",
  "err.rate_limited.body": "Espera un minuto y vuelve a intentarlo.",
  "err.refused.title": "El servidor rechazó la petición",
  "err.refused.body": "Puede que la sesión aún no esté abierta, o que no admita esta acción ahora.",
  "err.bad_key.title": "No se pudo leer la clave",
  "err.bad_key.body": "Comprueba el archivo de la clave y su frase de contraseña.",
  "err.unverified.title": "No se pudo verificar el resultado",
  "err.unverified.body":
    "Las firmas del comité sobre el resultado publicado no cuadran. No te fíes de él; avisa al organizador.",
  "err.no_result.title": "Aún no hay resultado",
  "err.no_result.body": "El comité aún no ha publicado un resultado firmado.",
  "err.computation_failed.title": "El comité no pudo terminar",
  "err.computation_failed.body":
    "Un miembro del comité se desconectó o no estuvo de acuerdo. El organizador puede pedir a los miembros que vuelvan a unirse.",
  "err.member_deviated.title": "Un miembro del comité rompió el protocolo",
  "err.member_deviated.body":
    "El cálculo se detuvo y no se publicó nada, así que no puede aparecer un resultado erróneo. Los detalles nombran al miembro cuando se le puede identificar; el organizador puede repetir el recuento sin él.",
  "err.member_left_out.title": "Los demás miembros siguieron sin ti",
  "err.member_left_out.body":
    "Este miembro no respondió a tiempo, así que los demás calculan el resultado sin él. No se pierde nada y no se necesita nada más de ti; el resultado aparece en la página de resultados.",
  "err.storage.title": "El almacenamiento de este navegador no está disponible",
  "err.storage.body":
    "Las ventanas privadas y algunos ajustes lo bloquean. Usa una ventana normal de un navegador actual.",
  "err.invalid_options.title": "Los ajustes de la sesión no son válidos",
  "err.invalid_options.body": "Cambia el ajuste indicado abajo y vuelve a intentarlo.",
  "err.internal.title": "Algo salió mal",
  "err.internal.body":
    "Vuelve a cargar la página e inténtalo de nuevo. Si sigue pasando, avísanos con la hora en que ocurrió.",
  "err.details": ({ detail }) => `Detalles: ${detail}`,
  "retry.now": "Reintentar ahora",
  "retry.next": ({ what, seconds }) => ` Próximo intento de ${what} en ${seconds} s.`,
  "retry.reachServer": "contactar con el servidor",
  "retry.sendAnswer": "enviar tu respuesta",

  "kind.vote": "Votación",
  "kind.survey": "Encuesta",
  "kind.budget": "Presupuesto",
  "kind.check": "Prueba del comité",
  "part.opening": "Abriendo la sesión…",
  "part.closesAt": ({ when }) => `Las respuestas se cierran el ${when}.`,
  "part.closedTitle": "Esta sesión está cerrada",
  "part.closedBody": ({ when }) =>
    `Las respuestas se cerraron el ${when}. El organizador comparte el resultado cuando el comité lo haya calculado.`,
  "part.answeredTitle": "Ya respondiste desde este navegador",
  "part.answeredBody": ({ when }) =>
    `Este navegador envió una respuesta con este enlace el ${when}. Cada navegador responde una vez, así que desde aquí no se puede enviar nada más.`,
  "part.downloadThatReceipt": "Descargar ese comprobante",
  "part.checkTitle": "Esto es una prueba del comité: no admite respuestas",
  "part.checkBody":
    "El organizador la usa para comprobar, antes de una sesión real, que cada miembro del comité está conectado y calcula bien. No hay nada que rellenar: puedes cerrar esta página.",
  "part.sentTitle": "Tu respuesta se ha enviado",
  "part.sentBody":
    "Se cifró en este navegador y el servidor la guardó para el comité. Nadie puede ver tu respuesta individual.",
  "part.keepReceipt": "Guarda el comprobante: demuestra que el servidor guardó tu respuesta, sin revelar cuál fue.",
  "part.countedLater":
    "Cuando salga el resultado, abre en este navegador el enlace de resultados que comparta el organizador (o dale el comprobante): muestra si tu respuesta se contó. El comité firma, con el resultado, los comprobantes que contó.",
  "part.sent": "Enviada",
  "part.position": "Guardada como respuesta número",
  "part.receiptCode": "Código del comprobante",
  "part.whatCode": "Qué es el código",
  "part.whatCodeBody":
    "Una huella de tu respuesta cifrada que el servidor devolvió al guardarla. No se puede convertir de nuevo en tu respuesta.",
  "part.receiptFile": "El comprobante tal como lo contiene el archivo",
  "part.receiptLabel": "Comprobante",
  "part.downloadReceipt": "Descargar el comprobante",
  "part.submit": "Cifrar y enviar",
  "part.cannotFromHere": "No se puede enviar desde aquí",
  "part.cannotSubmit": "No se puede enviar",
  "part.ready": "Lista para enviar.",
  "part.sending": "Cifrando y enviando…",
  "part.yourAnswer": "Tu respuesta",
  "part.announceSent": "Tu respuesta se ha enviado.",

  "privacy.heading": "Qué sale de tu navegador",
  "privacy.shares": ({ n }) =>
    `Solo piezas cifradas. Esta página divide tu respuesta en ${n} partes de aspecto aleatorio y cifra cada una para un miembro del comité:`,
  "privacy.fingerprint": "huella de la clave ",
  "privacy.single": "Atención: en esta sesión un solo miembro del comité podría leer tu respuesta.",
  "privacy.collusion": ({ t, n }) =>
    `${t === 1 ? "Ningún miembro por sí solo averigua nada" : `Hasta ${t} de ellos juntos no averiguan nada`} sobre tu respuesta: harían falta ${t + 1} de los ${n} miembros trabajando juntos para leerla. El comité solo publica el resultado combinado que la sesión permite.`,
  "privacy.server":
    "El servidor guarda y reenvía las partes cifradas; ve su tamaño y cuándo llegaron, no tu respuesta.",
  "privacy.sessionFingerprint": "Huella de la sesión comprobada con tu enlace: ",

  "receipt.heading": "Comprueba tu comprobante",
  "receipt.none": "Este resultado no enumera comprobantes.",
  "receipt.intro": ({ n }) =>
    `Con el resultado, los miembros del comité firmaron los comprobantes de ${n === 1 ? "la respuesta que contaron" : `las ${n} respuestas que contaron`}. Tu comprobante muestra si la tuya está entre ellas, sin revelar qué respondiste.`,
  "receipt.code": "Código del comprobante",
  "receipt.check": "Comprobar",
  "receipt.file": "O el archivo del comprobante",
  "receipt.sentOn": ({ when }) => ` (enviada el ${when})`,
  "receipt.counted": ({ code, on }) =>
    `Tu respuesta se contó: el comprobante ${code}${on} está entre los que firmó el comité.`,
  "receipt.missing": ({ code, on }) =>
    `Tu respuesta no aparece: el comprobante ${code}${on} no está entre los que el comité firmó como contados. No se recibió, o el comité la consideró no válida. Avisa al organizador.`,
  "receipt.unknown": ({ code }) =>
    `Este resultado no enumera los comprobantes que contó, así que el comprobante ${code} no se puede comprobar.`,
  "receipt.unreadable":
    "Eso no es un comprobante: un código de comprobante tiene 64 caracteres de 0-9 y a-f, o es el archivo de comprobante que te dio este sitio.",

  "form.prompt.plurality": "Elige una opción.",
  "form.prompt.approval": "Marca todas las opciones que apruebas.",
  "form.prompt.score": "Da una puntuación a cada opción.",
  "form.prompt.borda": "Ordena todas las opciones, la preferida primero.",
  "form.prompt.irv":
    "Ordena todas las opciones, la preferida primero. Si tu primera opción queda eliminada, tu voto pasa a la siguiente.",
  "form.atMost": ({ n }) => ` Como máximo ${n}.`,
  "form.moveUp": ({ o }) => `Subir ${o}`,
  "form.moveDown": ({ o }) => `Bajar ${o}`,
  "form.yourChoice": "Tu elección",
  "form.approve": "Opciones que apruebas",
  "form.scores": "Puntuaciones",
  "form.scoreRange": ({ hint, max }) => `${hint} De 0 a ${max}.`,
  "form.yourRanking": "Tu orden de preferencia",
  "form.numberHint": ({ lo, hi, decimals }) =>
    `Un número de ${lo} a ${hi}${decimals ? `, con hasta ${decimals} decimal${decimals > 1 ? "es" : ""}` : ""}.`,
  "form.tickUpTo": ({ n }) => `Marca hasta ${n}.`,
  "form.tickAll": "Marca todas las que correspondan.",
  "form.ratingHint": ({ scale }) => `1 es lo más bajo, ${scale} lo más alto.`,
  "form.yes": "Sí",
  "form.no": "No",
  "form.unsupported": ({ type }) => `Tipo de pregunta no admitido: ${type}.`,
  "form.allAllocated": ({ total }) => `Repartido todo: ${total}.`,
  "form.leftToAllocate": ({ sum, total, left }) => `${sum} de ${total} repartido: quedan ${left} por repartir.`,
  "form.tooMany": ({ sum, total, over }) => `${sum} de ${total} repartido: sobran ${over}.`,
  "form.split": ({ total }) => `Reparte ${total} entre los proyectos`,
  "form.splitHint": "Números enteros; las cantidades deben sumar exactamente el total.",

  "plain.vote.choice": "Elige una de las opciones.",
  "plain.vote.approve": "Marca al menos las opciones que apruebas.",
  "plain.vote.scores": "Da una puntuación a cada opción.",
  "plain.vote.ranking": "Ordena todas las opciones.",
  "plain.answer": ({ question }) => `Responde a «${question}».`,
  "plain.incomplete": "La respuesta no está completa.",
};
