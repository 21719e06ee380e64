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
  "part.usedAgain":
    "Ya se envió una respuesta con este enlace. La sesión permite responder de nuevo: al enviar se sustituye esa respuesta.",
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
  "receipt.intro": ({ n }, { num }) =>
    `Con el resultado, los miembros del comité firmaron los comprobantes de ${n === 1 ? "la respuesta que contaron" : `las ${num(n)} respuestas que contaron`}. Tu comprobante muestra si la tuya está entre ellas, sin revelar qué respondiste.`,
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
  "receipt.checking": ({ code }) => `Pidiendo al servidor la prueba del comprobante ${code}…`,
  "receipt.unproven": ({ code }) =>
    `El servidor no dio ninguna prueba del comprobante ${code} que coincida con lo que firmó el comité, así que ahora no se puede comprobar.`,
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
  "form.optional": " (opcional)",
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
  // Las comprobaciones de respuestas del núcleo (js/plain-message.js)
  "core.pickOne": "Elige una opción.",
  "core.trueFalse": "Responde sí o no.",
  "core.rate": ({ max }, { num }) => `Puntúa de 1 a ${num(max)}.`,
  "core.list": "Elige entre las opciones.",
  "core.selectAtMost": ({ n }, { num }) =>
    n === 1 ? "Elige como máximo 1 opción." : `Elige como máximo ${num(n)} opciones.`,
  "core.optionName": "Las opciones se nombran por su texto.",
  "core.selectedTwice": ({ name }) => `«${name}» está elegida dos veces.`,
  "core.number": "Escribe un número.",
  "core.decimals": ({ n }) =>
    n === 0
      ? "Escribe un número entero, sin decimales."
      : n === 1
        ? "Usa como máximo 1 cifra decimal."
        : `Usa como máximo ${n} cifras decimales.`,
  "core.range": ({ min, max }, { num }) => `Responde con un valor de ${num(min)} a ${num(max)}.`,
  "core.missing": ({ field }) => `Falta «${field}» en la respuesta.`,
  "core.unknownOption": ({ name }) => `«${name}» no es una de las opciones.`,
  "core.shape": "La respuesta no tiene la forma que pide esta sesión. Recarga la página y responde de nuevo.",
  "core.approvedTwice": ({ name }) => `«${name}» está aprobada dos veces.`,
  "core.approveAtMost": ({ k, count }, { num }) =>
    `Aprueba como máximo ${num(k)} ${k === 1 ? "opción" : "opciones"}, no ${num(count)}.`,
  "core.score": ({ name, max }, { num }) => `La puntuación de «${name}» debe ser un número entero de 0 a ${num(max)}.`,
  "core.rankAll": ({ m }, { num }) => `Ordena las ${num(m)} opciones, cada una una sola vez.`,
  "core.rankedTwice": ({ name }) => `«${name}» está ordenada dos veces.`,
  "core.noQuestion": ({ id }) => `No hay ninguna pregunta «${id}» en esta encuesta.`,
  "core.amount": ({ name, max }, { num }) => `«${name}»: indica una cantidad entera de 0 a ${num(max)}.`,
  "core.total": ({ total, want }, { num }) => `Las cantidades suman ${num(total)}; deben sumar ${num(want)}.`,
  "core.check": "Una comprobación del comité no admite respuestas.",
  "file.choose": "Elegir un archivo",
  "file.none": "Ningún archivo elegido",

  // Palabras comunes
  "member.n": ({ i }) => `Miembro ${i}`,
  "state.draft": "aún no abierta",
  "state.open": "abierta",
  "state.closed": "cerrada",
  "state.computing": "calculando",
  "state.done": "terminada",
  "state.published": "resultado publicado",
  "dom.copy": "Copiar",
  "dom.copied": "Copiado",
  "dom.copyByHand": "Selecciónalo y cópialo a mano",
  "qr.summary": "Código QR",
  "qr.label": ({ who }) => `Código QR del enlace: ${who}`,

  // La página de inicio: tus sesiones y el formulario de creación
  "create.yours": "Tus sesiones",
  "create.sessionLine": ({ kind, state, when }) => `${kind}, ${state}, creada el ${when}`,
  "create.remembered": "Las sesiones que crees aquí se recuerdan en este navegador.",
  "create.import": "Importar un archivo de organizador",
  "create.importHint": "El archivo exportado desde la página de una sesión, para gestionarla en este navegador.",
  "create.off": "sin límite",
  "create.minCell": "Grupo más pequeño que se muestra (celdas de encuesta)",
  "create.minCellHint": "Las celdas del histograma con menos respuestas se indican como suprimidas.",
  "create.epsilon": "Presupuesto de privacidad ε",
  "create.epsilonHint": "Cuanto menor, más privado y con más ruido. 1 es un valor habitual.",
  "create.minSubs": "Número mínimo de respuestas antes de revelar nada",
  "create.minSubsHint": "Por debajo, el resultado se retiene, para que no se pueda identificar la respuesta de nadie.",
  "create.dp": "Añadir ruido de privacidad diferencial a las cifras publicadas",
  "create.err.minSubs": "Escribe un número entero de al menos 1. Por debajo no se revela nada.",
  "create.err.minCell": "Escribe un número entero de al menos 1, o déjalo vacío para mostrar todas las celdas.",
  "create.err.epsilon": "Escribe un número de 0,001 a 100.",
  "create.singleCount": "Número de enlaces de un solo uso",
  "create.singleCountHint": (_, { num }) =>
    `De 1 a ${num(10000)}. Envía uno a cada persona: cada enlace puede responder una vez. Puedes crear más después.`,
  "create.openGuarantee": "Qué garantiza un enlace abierto. ",
  "create.openGuaranteeBody":
    "Cualquiera que lo tenga puede responder. Cada navegador responde una vez: la página rechaza una segunda respuesta desde el mismo navegador antes de enviar nada. No puede impedir que una persona responda otra vez desde otro navegador, una ventana privada u otro dispositivo, ni que el enlace se reenvíe.",
  "create.openVoteAdvice":
    "Para una votación, o cuando cada persona deba tener una sola voz, elige enlaces de un solo uso y envía uno a cada persona.",
  "create.participantLinks": "Enlaces para participantes",
  "create.openLink": "Un enlace abierto que cualquiera puede usar (con límite de ritmo)",
  "create.singleLinks": "Una lista de enlaces de un solo uso: una respuesta por persona",
  "create.deadline": "Fecha límite (opcional)",
  "create.deadlineHint": ({ zone }) =>
    `En tu zona horaria (${zone}). Se muestra a los participantes; el servidor cierra la sesión a esa hora. Siempre puedes cerrarla antes.`,
  "create.err.singleCount": (_, { num }) => `Escribe un número entero de enlaces de 1 a ${num(10000)}.`,
  "create.err.deadline": "Escribe una fecha y una hora, o deja vacía la fecha límite.",
  "create.err.deadlinePast":
    "La fecha límite ya ha pasado: elige una hora posterior o déjala vacía. Una sesión con una fecha límite pasada estaría cerrada desde el principio.",
  "create.thisSetting": "Este ajuste",
  // The core's manifest refusals (js/plain-message.js, manifestMessage)
  "manifest.field.title": "Título",
  "manifest.field.description": "Descripción",
  "manifest.field.questions.description": "La descripción de una pregunta",
  "manifest.field.options": "Una opción",
  "manifest.field.committee.members": "El comité",
  "manifest.field.committee.members.name": "El nombre de un miembro",
  "manifest.field.committee.members.x25519": "La clave de cifrado de un miembro",
  "manifest.field.committee.threshold": "El umbral",
  "manifest.field.deadlines": "La fecha límite",
  "manifest.field.policy.min_submissions": "El número mínimo de respuestas",
  "manifest.field.policy.min_cell": "El grupo más pequeño que se muestra",
  "manifest.field.policy.dp": "Ruido (privacidad diferencial)",
  "manifest.field.max_score": "La puntuación más alta",
  "manifest.field.max_approvals": "El máximo de opciones que se pueden aprobar",
  "manifest.field.reveal": "Qué se revela",
  "manifest.field.relay_url": "La dirección del servidor",
  "manifest.distinctOptions": ({ field }) => `${field}: cada opción debe ser distinta (una aparece dos veces).`,
  "manifest.oneOption": ({ field }) => `${field}: indica al menos una opción.`,
  "manifest.manyOptions": ({ field }) => `${field}: demasiadas opciones; quita algunas.`,
  "manifest.maxScore": ({ field, max }, { num }) =>
    `${field}: una votación por puntuación necesita una puntuación más alta de 1 a ${num(max)}.`,
  "manifest.onlyScore": ({ field }) => `${field}: solo una votación por puntuación tiene puntuación más alta.`,
  "manifest.irvReveal": ({ field }) =>
    `${field}: una votación de segunda vuelta instantánea muestra sus rondas, así que revela el recuento completo, no solo el ganador.`,
  "manifest.oneApproval": ({ field }) => `${field}: permite al menos una aprobación.`,
  "manifest.onlyApproval": ({ field }) => `${field}: solo una votación por aprobación limita las aprobaciones.`,
  "manifest.relayUrl": ({ field }) =>
    `${field}: no es una dirección de servidor utilizable (debe empezar por ws:// o wss:// y no tener espacios). Vuelve a cargar la página desde el servidor.`,
  "schema.questions": ({ max }, { num }) => `Una encuesta necesita de 1 a ${num(max)} preguntas.`,
  "schema.questionId": ({ question }) =>
    `${question}: cada pregunta necesita su propio nombre corto; vuelve a cargar la página e inténtalo de nuevo.`,
  "schema.numberRange": ({ question, decimals }, { num }) =>
    `${question}: la respuesta más baja no puede superar a la más alta, con ${num(decimals)} decimales como máximo y un intervalo más estrecho.`,
  "schema.buckets": ({ question }) =>
    `${question}: los límites de los grupos deben ir subiendo, cada uno entre la respuesta más baja y la más alta.`,
  "schema.options": ({ question, max }, { num }) => `${question}: indica de 1 a ${num(max)} opciones.`,
  "schema.distinct": ({ question }) => `${question}: cada opción debe ser distinta.`,
  "schema.scale": ({ question, min, max }, { num }) =>
    `${question}: una escala de valoración va de ${num(min)} a ${num(max)}.`,
  "schema.crosstab": ({ question }) =>
    `Una tabla cruzada compara dos preguntas de elección, valoración o sí/no; ${question} no lo es.`,
  "schema.total": ({ max }, { num }) => `El total que se reparte debe ser un número entero de 1 a ${num(max)}.`,
  "schema.projects": ({ max }, { num }) => `Un presupuesto necesita de 1 a ${num(max)} proyectos.`,
  "schema.projectNames": "Cada proyecto necesita un nombre, y no puede haber dos iguales.",
  "schema.comparisons": ({ max }, { num }) => `Una prueba del comité hace de 1 a ${num(max)} comparaciones.`,
  "schema.bits": ({ max }, { num }) => `Una prueba del comité compara números de 1 a ${num(max)} bits.`,
  "schema.tooBig": ({ size, n, limit }, { num }) =>
    `Cada respuesta ocuparía ${num(size)} KB con ${num(n)} miembros, más de los ${num(limit)} KB que el servidor transporta en un mensaje: haz menos preguntas, estrecha los intervalos numéricos, usa menos grupos u opciones, o elige menos miembros.`,
  "manifest.memberKey": ({ name }) =>
    `Las claves de «${name}» están dañadas: pide a ese miembro que vuelva a copiar sus claves públicas desde la consola del comité.`,
  "manifest.fingerprint": ({ name }) =>
    `Las claves de «${name}» no coinciden con su huella: se modificaron por el camino. Pide a ese miembro que las envíe de nuevo.`,
  "manifest.badKey":
    "La clave de firma de un miembro no es una clave válida: pide a los miembros que vuelvan a copiar sus claves públicas.",
  "manifest.tooLarge": ({ size }, { num }) =>
    `La descripción de la sesión ocuparía ${num(size)} KB, más de lo permitido: acorta los textos o haz menos preguntas.`,
  "manifest.createToken": "El token de creación debe ser las 64 letras y cifras que te dio quien opera el servidor.",
  "manifest.tooManyMembers": "Demasiados miembros en el comité: elige menos.",
  // The field names differ in gender (Título, Descripción, Una opción…), so
  // the messages that follow them are worded without a gendered adjective.
  "manifest.empty": ({ field }) => `${field}: no puede quedar en blanco.`,
  "manifest.spaces": ({ field }) => `${field}: no puede empezar ni terminar con un espacio.`,
  "manifest.long": ({ field, max }, { num }) =>
    max ? `${field}: tiene demasiados caracteres (como máximo ${num(max)}).` : `${field}: tiene demasiados caracteres.`,
  "manifest.control": ({ field }) => `${field}: contiene caracteres de control invisibles; vuelve a escribir el texto.`,
  "manifest.members": ({ field, max }, { num }) => `${field}: necesita de 1 a ${num(max)} miembros.`,
  "manifest.threshold": ({ field }) =>
    `${field}: demasiado alto para este comité (el doble del umbral más uno no puede superar el número de miembros).`,
  "manifest.distinct": ({ field }) => `${field}: cada miembro necesita un nombre distinto.`,
  "manifest.sameKey": ({ field }) => `${field}: la misma clave de miembro aparece dos veces.`,
  "manifest.x25519": ({ field }) =>
    `${field} no es una que los navegadores de los miembros puedan usar: pide a los miembros que copien de nuevo sus claves públicas.`,
  "manifest.deadlines": ({ field }) => `${field}: la sesión debe cerrar después de abrir.`,
  "manifest.atLeastOne": ({ field }) => `${field}: debe ser al menos 1.`,
  "manifest.surveysOnly": ({ field }) => `${field}: solo se aplica a las encuestas.`,
  "manifest.irvNoise": ({ field }) =>
    `${field}: una votación de segunda vuelta instantánea no puede añadir ruido (revela las rondas exactas).`,
  "create.err.jargon": "Falta un ajuste o tiene un tipo de valor incorrecto (por ejemplo, un número vacío).",
  "create.sampleTitle": "¿Dónde ponemos el banco nuevo?",
  "create.what": "¿Qué quieres organizar?",
  "create.kindHint.vote":
    "Elegir entre opciones: mayoría simple, aprobación, puntuación, Borda o segunda vuelta instantánea.",
  "create.kindHint.survey":
    "Pregunta números, opciones y valoraciones; obtén recuentos, medias, medianas e histogramas.",
  "create.kindHint.budget": "Cada persona reparte un total entre proyectos; se ve el reparto medio.",
  "create.kindHint.check":
    "Antes de una votación real, comprueba que todos los miembros del comité están conectados y calculan bien; no admite respuestas.",
  "create.whatSection": "1. Qué",
  "create.committeeSection": "2. Comité",
  "create.policySection": "3. Política de privacidad",
  "create.accessSection": "4. Participantes y fecha límite",
  "create.untitled": "Sin título",
  "create.previewCheck":
    "Una comprobación del comité no admite respuestas: su enlace para participantes solo indica eso.",
  "create.previewIncomplete": "La vista previa aparece cuando las preguntas están completas.",
  "create.tokenSummary": "Token de creación (solo si el operador del servidor te dio uno)",
  "create.token": "Token de creación",
  "create.tokenHint": "64 dígitos hexadecimales. Déjalo vacío en un servidor abierto.",
  "create.submit": "Crear la sesión",
  "create.title": "Título",
  "create.titleHint": "Hasta 200 caracteres.",
  "create.description": "Descripción (opcional)",
  "create.descriptionHint": ({ max }, { num }) =>
    `Para qué es la sesión; se muestra a los participantes bajo el título. Hasta ${num(max)} caracteres; se conservan los saltos de línea.`,
  "create.err.title": "Ponle un título a la sesión: es lo primero que ven los participantes.",
  "create.err.description": ({ max, long }, { num }) =>
    `Acorta la descripción a ${num(max)} caracteres como máximo (tiene ${num(long)}).`,
  "create.toFix": ({ n }) => (n === 1 ? "Hay que corregir un ajuste" : `Hay que corregir ${n} ajustes`),
  "create.creating": "Creando…",
  "create.err.tooBig": ({ size, limit, n }, { num }) =>
    `Cada respuesta ocuparía ${num(size)} KB con ${num(n)} miembros, más de los ${num(limit)} KB que el servidor transporta en un mensaje, así que nadie podría enviarla. Haz la respuesta más pequeña (mira los ajustes marcados) o elige menos miembros.`,
  "create.err.tooBigQuestion": ({ size }, { num }) =>
    `Esta pregunta añade ${num(size)} KB a cada respuesta: estrecha su intervalo numérico (menos cifras o decimales), usa menos grupos u opciones, o quítala.`,
  "create.err.tooBig.vote":
    "Demasiadas opciones para este comité: usa menos opciones (una clasificación ocupa sitio para cada opción en cada puesto), o elige menos miembros.",
  "create.err.tooBig.budget":
    "Cuanto mayor es el total, más sitio ocupa cada cantidad: usa un total más pequeño (en miles, por ejemplo) o menos proyectos, o elige menos miembros.",
  "create.err.noMembers": "Añade al menos un miembro del comité, o elige el modo círculo.",
  "create.heading": "Votaciones, encuestas y presupuestos privados",
  "create.lead":
    "Cada respuesta se divide y se cifra en el navegador de quien participa. Un pequeño comité calcula el resultado en conjunto; nadie, ni siquiera el servidor, ve una respuesta individual.",
  "create.createHeading": "Crear una sesión",
  "create.previewLabel": "Vista previa del formulario para participantes",
  "create.copiedFrom": "Copiada de «",
  "create.copiedFromAfter": "»: revisa los ajustes, fija una nueva fecha límite si quieres y crea la sesión.",

  // La página de la sesión para quien organiza (views/manage.js)
  "manage.memberLinks": "Enlaces de los miembros del comité",
  "manage.circleLinks":
    "No hacen falta en modo círculo: esta pestaña ejecuta a todos los miembros. Mostrarlos igualmente",
  "manage.memberLinksBody":
    "Envía a cada miembro su propio enlace, en privado. Lo abren en el navegador que guarda su clave y mantienen la pestaña abierta hasta que se publique el resultado.",
  "manage.mint": "Crear más enlaces",
  "manage.minted": "Se han añadido enlaces nuevos a la lista.",
  "manage.openBody":
    "Cualquiera con este enlace puede responder (el servidor limita el ritmo). Compártelo donde estén tus participantes.",
  "manage.openLink": "Enlace abierto",
  "manage.open": "Abrir",
  "manage.share": "Compartir…",
  "manage.embed": "Insertarlo en una página web",
  "manage.embedExample": "Verlo en el ejemplo de inserción",
  "manage.singleBody": ({ n }, { num }) =>
    `${num(n)} ${n === 1 ? "enlace" : "enlaces"} de un solo uso: envía uno a cada persona. Cada uno puede responder una vez.`,
  "manage.csv": "Descargar los enlaces en CSV",
  "manage.copyAll": "Copiar todos los enlaces, uno por línea",
  "manage.linkN": ({ i }, { num }) => `Enlace ${num(i)}`,
  "manage.more": "Más enlaces de un solo uso",
  "manage.checkBody":
    "Esta sesión no admite respuestas, así que no hay enlaces para participantes que compartir. Envía a cada miembro su enlace, cierra la sesión cuando todos se hayan unido y abre la página de resultados para ver si el comité encontró la respuesta conocida.",
  "manage.checkLink": "El enlace para participantes",
  "manage.checkLinkBody": "Solo muestra que la sesión no admite respuestas.",
  "manage.closeCheck": "Cerrar y ejecutar la comprobación",
  "manage.close": "Cerrar las respuestas",
  "manage.confirmCheck": "Cerrar ya: empieza la comprobación",
  "manage.confirmClose": "Cerrar ya: después no se aceptan más respuestas",
  "manage.closed": "Respuestas cerradas.",
  "manage.s.openCheck": "Ciérrala cuando todos los miembros se hayan unido.",
  "manage.s.open": "Los participantes pueden responder.",
  "manage.s.checkDone": "La comprobación ha terminado.",
  "manage.s.checkRunning": "Cerrada: el comité ejecuta ahora la comprobación.",
  "manage.s.closed": "Cerrada: ya no se aceptan respuestas. Esperando a que el comité empiece a calcular.",
  "manage.s.computing": "Cerrada: ya no se aceptan respuestas. El comité está calculando el resultado.",
  "manage.s.published": "Todos los miembros del comité firmaron y publicaron el resultado.",
  "manage.s.done": "El comité ha terminado.",
  "manage.s.draft": "La sesión aún no se ha abierto.",
  "manage.badge.draft": "Aún no abierta",
  "manage.badge.open": "Abierta",
  "manage.badge.closed": "Cerrada",
  "manage.badge.computing": "Calculando",
  "manage.badge.done": "Resultado publicado",
  "manage.asking": "Preguntando al servidor por el estado de la sesión…",
  "manage.answers": "Respuestas recibidas",
  "manage.linksUsed": "Enlaces de un solo uso usados",
  "manage.xOfY": ({ x, y }, { num }) => `${num(x)} de ${num(y)}`,
  "manage.deadline": "Fecha límite",
  "manage.result": "Resultado",
  "manage.resultSummary": ({ valid, signed, members }, { num }) =>
    `${num(valid)} ${valid === 1 ? "respuesta válida" : "respuestas válidas"}, firmado por ${num(signed)} de ${num(members)} miembros`,
  "manage.linkUsed": "Usado",
  "manage.linkUnused": "Sin usar todavía",
  "manage.linksNoteWhich":
    "El servidor dice qué enlaces se usaron (guarda una huella de cada enlace), nunca qué respuesta llegó con qué enlace.",
  "manage.linksNote":
    "El servidor cuenta cuántos enlaces se usaron, no cuáles: nunca vincula una respuesta con una persona.",
  "manage.openNote":
    "Un enlace abierto puede responder más de una vez desde navegadores distintos; se cuentan respuestas, no personas.",
  "manage.updated": ({ time }) => `Actualizado a las ${time}; la página vuelve a comprobarlo cada pocos segundos.`,
  "manage.unreachable":
    "Ahora no se puede contactar con el servidor de Sotto; el estado de abajo puede estar desactualizado. Reintentando.",
  "manage.noStatus": ({ code }) => `El servidor no informó del estado (${code}).`,
  "manage.demo.notStarted": ": sin empezar",
  "manage.demo.run": "Ejecutar aquí el comité de demostración",
  "manage.demo.running": "Comité en marcha en esta pestaña",
  "manage.demo.received": ({ n }, { num }) => `${num(n)} ${n === 1 ? "respuesta recibida" : "respuestas recibidas"}`,
  "manage.demo.computing": "calculando",
  "manage.demo.connected": "conectado",
  "manage.demo.reconnecting": "reconectando",
  "manage.demo.published": "publicado",
  "manage.demo.failed": ({ code }) => `falló (${code})`,
  "manage.demo.nobody": "Nadie calcula hasta que el comité se pone en marcha. ",
  "manage.demo.press":
    "Pulsa «Ejecutar aquí el comité de demostración» y mantén esta pestaña abierta. Si cierras antes la sesión, el comité empieza entonces.",
  "manage.demo.heading": "Comité de demostración (modo círculo)",
  "manage.demo.warn":
    "Este navegador guarda todas las claves de los miembros de esta sesión: sirve para probar Sotto, no para decisiones reales.",
  "manage.demo.body":
    "Pon en marcha el comité, mantén esta pestaña abierta, cierra la sesión cuando lleguen las respuestas y los miembros calcularán en segundo plano.",
  "manage.copyTitle": ({ title }) => `${title} (copia)`,
  "manage.duplicate": "Duplicar esta sesión",
  "manage.forget": "Olvidar esta sesión en este navegador",
  "manage.forgetConfirm": "¿Seguro? Exporta antes el archivo. Pulsa otra vez",
  "manage.file": "Archivo de organizador",
  "manage.fileBody":
    "Este navegador guarda la clave de organizador de la sesión (puede cerrarla y leer el resultado). Expórtala para tener una copia o para gestionar la sesión desde otro navegador; mantén el archivo en privado.",
  "manage.export": "Exportar el archivo de organizador",
  "manage.notFound": "Sesión no encontrada en este navegador",
  "manage.notFoundBody":
    "Este navegador no tiene el archivo de organizador de esta sesión. Impórtalo desde la página de inicio.",
  "manage.toStart": "Ir a la página de inicio",
  "manage.status": "Estado",
  "manage.results": "Resultados",
  "manage.resultsBody":
    "La página de resultados espera el resultado firmado del comité y lo muestra con gráficos. Su enlace permite leer el resultado a quien lo tenga.",
  "manage.resultsLink": "Enlace de resultados",
  "manage.openResults": "Abrir la página de resultados",

  // La consola del comité (views/console.js)
  "console.generate": "Generar una clave nueva",
  "console.name": "Tu nombre, tal como lo verán los participantes",
  "console.nameHint": "Se guarda con la clave y se envía a quien organiza junto con tus claves públicas.",
  "console.generateButton": "Generar clave",
  "console.nameFirst": "Escribe primero un nombre.",
  "console.exists": ({ name }) => `ya existe una clave llamada "${name}"`,
  "console.reserved": ({ prefix }) =>
    `Los nombres que empiezan por "${prefix}" son para las claves que crea la página de un organizador: elige otro.`,
  "console.badPassphrase": "Esta frase no abre el archivo de clave (o el archivo no es una clave de Sotto).",
  "console.generated": ({ name }) => `Clave "${name}" generada y guardada en este navegador.`,
  "console.importHeading": "Importar un archivo de clave",
  "console.keyFile": "Archivo de clave",
  "console.keyFileHint": "Un archivo exportado desde esta consola o creado con `sotto keygen`.",
  "console.passphrase": "Frase de contraseña",
  "console.importButton": "Importar clave",
  "console.fileAndName": "Elige un archivo de clave y escribe tu nombre.",
  "console.unlocking": "Desbloqueando el archivo de clave (tarda unos segundos)…",
  "console.imported": ({ name }) => `Clave "${name}" importada.`,
  "console.addKey": "Añadir una clave",
  "console.passEmpty": "Elige una frase de contraseña de al menos 8 caracteres: protege el archivo de clave.",
  "console.passShort": ({ length }) =>
    `La frase de contraseña es demasiado corta: al menos 8 caracteres (esta tiene ${length}).`,
  "console.saved":
    "Archivo de clave guardado. Guárdalo a salvo junto con su frase de contraseña: juntos son tu identidad en el comité.",
  "console.backup": "Hacer una copia o eliminar esta clave",
  "console.exportPass": "Frase de contraseña del archivo de clave (al menos 8 caracteres)",
  "console.keyPass": "Frase de contraseña de su copia (al menos 8 caracteres)",
  "console.keyPassHint":
    "La clave se queda en este navegador, donde ningún script, ni siquiera esta aplicación, puede leerla. La frase protege su archivo de copia, la única forma de llevarla a otro dispositivo.",
  "console.protecting": "Guardando la clave y protegiendo su copia (tarda unos segundos)…",
  "console.kept.unreadable":
    "Guardada en este navegador donde ningún script, ni siquiera esta aplicación, puede leerla.",
  "console.kept.passphrase":
    "Este navegador no puede guardar claves donde los scripts no las lean, así que solo se guarda el archivo de clave protegido por la frase: la escribes para unirte a una sesión.",
  "console.kept.sealed":
    "Guardada por una versión anterior de Sotto, donde un script de este sitio podría abrirla. Elige una frase abajo: la clave se guarda entonces donde ningún script puede leerla, y se descarga su archivo de copia.",
  "console.kept.memory": "No guardada en este navegador.",
  "console.downloadKey": "Descargar archivo de clave",
  "console.downloadHint": "Está protegido por la frase que elegiste al crear o importar esta clave.",
  "console.protect": "Proteger y descargar",
  "console.noBackup": "Esta clave se guardó sin archivo de copia, así que no se puede exportar.",
  "console.unlockPass": "Frase del archivo de esta clave",
  "console.unlockFirst": "Escribe la frase del archivo de esta clave para unirte.",
  "console.forget": "Olvidar esta clave",
  "console.forgetConfirm": "¿Seguro que quieres olvidarla? Pulsa otra vez",
  "console.nameLabel": "Nombre",
  "console.fingerprint": "Huella",
  "console.sendKeys":
    "Envía estas claves públicas a quien organiza (no contienen nada secreto) y léele tu huella por teléfono o en persona para que pueda comprobarla:",
  "console.publicKeys": "Claves públicas para quien organiza",
  "console.copyKeys": "Copiar claves públicas",
  "console.step.connected": "Conectado a la sesión",
  "console.step.collecting": "Recibiendo respuestas cifradas",
  "console.step.computing": "Calculando con los demás miembros",
  "console.step.published": "Resultado firmado y publicado",
  "console.check.collecting": "Esperando a que quien organiza inicie la comprobación",
  "console.check.computing": "Ejecutando la comprobación con los demás miembros",
  "console.reconnected": ({ time }) => `Reconectado al servidor a las ${time} para buscar mensajes nuevos.`,
  "console.dropped": ({ members, n }) =>
    `${n === 1 ? "El miembro" : "Los miembros"} ${members} no ${n === 1 ? "respondió" : "respondieron"} a tiempo: se calcula de nuevo sin ${n === 1 ? "él" : "ellos"}.`,
  "console.d.checkWaiting":
    "Conectado. Esperando a que quien organiza inicie la comprobación del comité; mantén esta pestaña abierta.",
  "console.d.checkStarted": "La comprobación ha empezado: calculando con los demás miembros.",
  "console.d.connected": ({ member }) =>
    `Conectado como miembro ${member}. Esperando respuestas; mantén esta pestaña abierta.`,
  "console.d.collecting": ({ n }, { num }) =>
    `${num(n)} ${n === 1 ? "respuesta recibida" : "respuestas recibidas"}. Esperando a que quien organiza cierre la sesión.`,
  "console.d.computing": ({ n }, { num }) =>
    `La sesión está cerrada: calculando sobre ${num(n)} ${n === 1 ? "respuesta" : "respuestas"} con los demás miembros.`,
  "console.d.published": "Hecho: el resultado está firmado y publicado.",
  "console.session": "Sesión",
  "console.loadingSession": "Cargando la sesión…",
  "console.join": "Unirse y calcular",
  "console.noKey": "Este navegador no tiene ninguna clave del comité. ",
  "console.noKeyBody":
    "Abre este enlace de miembro en el dispositivo y el navegador donde creaste tu clave (o importaste tu archivo de clave): la clave nunca sale de ese navegador.",
  "console.noKeyFile":
    "Si tu clave está en un archivo de clave, impórtalo en «Añadir una clave» en esta página y vuelve a este enlace.",
  "console.yourKey": "Tu clave «",
  "console.isMember": ({ index }) => `» es el miembro ${index} (`,
  "console.ofCommittee": ") de este comité.",
  "console.selectedKey": "La clave elegida «",
  "console.notInCommittee": "» no está en el comité de esta sesión.",
  "console.linkFor": ({ names }) => `Este enlace es para uno de: ${names}. `,
  "console.severalKeys":
    "Si tienes varias claves, elige en «Tu clave» la que diste a quien organiza. Si tu clave está en otro dispositivo o en otro navegador, abre allí este enlace.",
  "console.running": "En marcha…",
  "console.publishedAnnounce": "El resultado está publicado.",
  "console.finished": "Terminado",
  "console.joinAgain": "Volver a unirse",
  "console.sessionLine": ({ kind, n, sign }, { num }) =>
    `${kind} con ${num(n)} ${n === 1 ? "miembro" : "miembros"} en el comité; ${num(sign)} de ellos deben firmar el resultado.`,
  "console.joinBody":
    "Al unirte, el cálculo se ejecuta en segundo plano. Mantén esta pestaña abierta hasta que se publique el resultado: el comité necesita a sus miembros conectados para calcular.",
  "console.loadingKeys": "Cargando tus claves…",
  "console.yourKeys": "Tus claves en este navegador",
  "console.noKeys": "Aún no hay ninguna clave en este navegador: genera una abajo o importa tu archivo de clave.",
  "console.lead":
    "Los miembros del comité tienen las claves con las que se cifran las respuestas. Juntos calculan el resultado sin ver ninguna respuesta individual.",
  "console.yourKeyHeading": "Tu clave",

  // Esperando a miembros (committee-wait.js)
  "wait.named": ({ name, index }) => `${name} (miembro ${index})`,
  "wait.waitingFor": ({ names }) => `Esperando a ${names}`,
  "wait.missingBody": ({ n, time }) =>
    `No llegó nada de ${n === 1 ? "este miembro" : "estos miembros"} durante dos minutos tras el cierre de la sesión (detectado a las ${time}). Puede que hayan cerrado su página o perdido la conexión. Pídeles que vuelvan a abrir su enlace de miembro en el navegador que guarda su clave y pulsa aquí «Volver a unirse»: el cálculo continúa donde se detuvo.`,
  "wait.sentBad": ({ names }) => `${names} envió valores que no superan las comprobaciones del protocolo.`,
  "wait.someoneBad":
    "Un miembro envió valores que no superan las comprobaciones del protocolo; con este tamaño de comité no se puede saber cuál.",
  "wait.broke": ({ names }) => `${names} incumplió el protocolo`,
  "wait.stopped":
    "El cálculo se detuvo y no se publicó nada, así que no puede aparecer un resultado erróneo. Quien organiza puede sustituir a ese miembro y repetir el recuento.",
  "wait.proof": "Descargar la prueba firmada",
  "wait.proofHelp":
    "Este archivo contiene el propio mensaje firmado de ese miembro con los valores erróneos. Cualquiera puede comprobarlo con la sesión: sotto verify-evidence --link <un enlace de esta sesión> <archivo>.",
  "wait.since": ({ time }) => `Calculando desde las ${time}.`,
  "wait.slow": ({ time, s }) =>
    `Sigue calculando desde las ${time} (${s} s). Normalmente tarda unos segundos: puede que un miembro del comité haya cerrado su página. Todos los miembros deben mantener su página abierta hasta que se publique el resultado; si falta alguno, los demás lo nombran al cabo de dos minutos.`,

  // La página de resultados (views/results.js, views/outcome.js)
  "results.verified": "Resultado verificado",
  "results.notEnough": "No hay suficientes firmas",
  "results.signedBy": ({ signed, n }, { num }) =>
    `Firmado por ${num(signed)} de ${num(n)} ${n === 1 ? "miembro" : "miembros"} del comité (`,
  "results.needed": ({ needed }, { num }) =>
    `); se ${needed === 1 ? "necesita" : "necesitan"} al menos ${num(needed)} ${needed === 1 ? "firma" : "firmas"}.`,
  "results.counted": ({ valid, invalid }, { num }) =>
    `${num(valid)} ${valid === 1 ? "respuesta válida contada" : "respuestas válidas contadas"}${invalid ? `, ${num(invalid)} ${invalid === 1 ? "no válida rechazada" : "no válidas rechazadas"} por el comité` : ""}.`,
  "results.tooFew": "Demasiado pocas respuestas",
  "results.tooFewBody": ({ min }, { num }) =>
    `La sesión necesitaba al menos ${min == null ? "el número mínimo de" : num(min)} respuestas válidas antes de revelar nada. Para proteger a quienes respondieron, el comité retuvo el resultado.`,
  "results.csv": "Descargar CSV",
  "results.json": "Descargar JSON",
  "results.manage": "Gestionar esta sesión",
  "results.closeNow": "Cerrar las respuestas ya",
  "results.opening": "Abriendo los resultados…",
  "results.cannotOpen": "No se pueden abrir estos resultados",
  "results.docTitle": ({ title }) => `Resultados: ${title} · Sotto`,
  "results.closedAnnounce": "Respuestas cerradas. El comité calcula ahora.",
  "results.badge": ({ kind }) => `Resultados: ${kind}`,
  "results.waiting": "Esperando al comité",
  "results.noResultYet":
    "Aún no hay resultado firmado. Cuando quien organiza cierre la sesión, el comité calcula y firma el resultado; esta página lo comprueba cada pocos segundos.",
  "results.stillNone": ({ time }) =>
    `Sigue sin haber resultado firmado (comprobado a las ${time}). Los miembros del comité deben mantener su consola abierta hasta publicarlo.`,
  "results.dp": ({ epsilon }, { num }) =>
    `Privacidad diferencial: cada cifra de abajo incluye ruido aleatorio (ε = ${num(epsilon)}), así que no se puede deducir de ella ninguna respuesta individual.`,
  "results.export": "Exportar",
  "results.in": "Ya está el resultado.",
  "outcome.counts": ({ valid, invalid }, { num }) =>
    `${num(valid)} ${valid === 1 ? "respuesta válida" : "respuestas válidas"}${invalid ? `, ${num(invalid)} ${invalid === 1 ? "rechazada" : "rechazadas"}` : ""}.`,
  "outcome.tooFew": "Publicado: demasiado pocas respuestas",
  "outcome.withheld": "La política retuvo el resultado.",
  "outcome.published": "Publicado",

  // Gráficos y tablas (results/*.js, charts.js)
  "chart.project": "Proyecto",
  "chart.rank": "Puesto",
  "chart.mean": "Media",
  "chart.median": "Mediana",
  "chart.allocation": "Asignación por proyecto",
  "chart.averageSplit": ({ total }, { num }) => `Reparto medio de ${num(total)}`,
  "chart.averageSplitLabel": "Reparto medio en una sola barra; la tabla recoge los valores",
  "chart.meanAllocation": "Asignación media, de mayor a menor",
  "chart.meanAllocationLabel": "Asignación media por proyecto: gráfico de barras",
  "chart.meanAllocationTable": "Asignación media",
  "chart.barLabel": ({ caption }) => `${caption}: gráfico de barras; la tabla recoge los valores`,
  "chart.answer": "Respuesta",
  "chart.count": "Recuento",
  "chart.share": "Porcentaje",
  "chart.option": "Opción",
  "chart.suppressed": "suprimida",
  "chart.suppressedNote":
    "Las celdas por debajo del tamaño mínimo de celda de la sesión se suprimen para proteger a los grupos pequeños.",
  "chart.bucket": ({ from, to }) => `de ${from} a menos de ${to}`,
  "chart.lastBucket": ({ from, to }) => `de ${from} a ${to}`,
  "chart.below": ({ edge }) => `menos de ${edge}`,
  "chart.stat.answers": "Respuestas",
  "chart.stat.mean": "Media",
  "chart.stat.median": "Mediana",
  "chart.stat.first quartile": "Primer cuartil",
  "chart.stat.third quartile": "Tercer cuartil",
  "chart.statistics": ({ text }) => `${text}: estadísticas`,
  "chart.statistic": "Estadística",
  "chart.value": "Valor",
  "chart.zoom": ({ min, max, lo, hi }) =>
    `El eje muestra de ${min} a ${max}, donde están las respuestas; la pregunta admitía de ${lo} a ${hi}.`,
  "chart.quartileLabel": ({ text, median, q1, q3 }) => `${text}: mediana ${median}, mitad central de ${q1} a ${q3}`,
  "chart.boxNote": "La caja abarca la mitad central de las respuestas; la barra es la mediana y el rombo, la media.",
  "chart.distribution": ({ text }) => `${text}: distribución`,
  "chart.crosstab": ({ name }) => `Tabla cruzada ${name}`,
  "chart.ratingCaption": ({ text, mean }) => `${text} (media ${mean})`,
  "chart.tie": ({ names }) => `Empate entre ${names}`,
  "chart.winner": ({ name }) => `Gana: ${name}`,
  "chart.round": ({ i }) => `Ronda ${i}`,
  "chart.rounds": "Rondas de segunda vuelta instantánea (— significa eliminada)",
  "chart.winnerOnly":
    "Esta votación solo revela la opción ganadora: los recuentos siguen en secreto, incluso para el comité.",
  "chart.borda": "Puntos por opción (recuento Borda)",
  "chart.first": "Primeras preferencias",
  "chart.final": "Ronda final",
  "chart.votes": "Votos por opción",
  "chart.middleHalf": ({ q1, q3 }) => `Mitad central: de ${q1} a ${q3}`,
  "chart.medianTitle": ({ median }) => `Mediana ${median}`,
  "chart.medianMark": ({ median }) => `mediana ${median}`,
  "chart.meanTitle": ({ mean }) => `Media ${mean}`,
  "check.comparisons": "Comparaciones secretas",
  "check.bits": "Bits por valor comparado",
  "check.less": "Comparaciones que dieron «menor»",
  "check.expected": "Respuesta conocida",
  "check.verdict": "Veredicto",
  "check.correct": "correcto",
  "check.wrong": "erróneo",
  "check.item": "Elemento",
  "check.value": "Valor",
  "check.passed": "Comprobación del comité superada",
  "check.passedBody": ({ comparisons, bits, less, expected }) =>
    `Todos los miembros estaban conectados con la clave indicada en la sesión, se comunicaron entre sí y calcularon ${comparisons} comparaciones secretas de valores de ${bits} bits con la respuesta conocida: ${less} dieron «menor», como se esperaba (${expected}).`,
  "check.failed": "Comprobación del comité fallida",
  "check.failedBody": ({ comparisons, less, expected }) =>
    `El comité obtuvo una respuesta errónea: ${less} de ${comparisons} comparaciones dieron «menor», pero la respuesta conocida es ${expected}. No confíes en este comité para una sesión real; averigua antes qué software o máquina de qué miembro falla.`,

  // Los constructores de la página de creación (builder/*.js)
  "builder.err.manyOptions": ({ n }) => `Como máximo 64 opciones; hay ${n}.`,
  "vote.sampleOptions": "Parque,Biblioteca,Estación",
  "vote.method.plurality": "Mayoría simple: una opción por persona, gana la más votada",
  "vote.method.approval": "Aprobación: aprobar cualquier número de opciones",
  "vote.method.score": "Puntuación: puntuar cada opción",
  "vote.method.borda": "Recuento Borda: ordenar todas las opciones, puntos según la posición",
  "vote.method.irv": "Segunda vuelta instantánea: ordenar todas las opciones, eliminar la más débil",
  "vote.reveal.tally": "El recuento de cada opción",
  "vote.reveal.winner": "Solo la ganadora (los recuentos siguen en secreto)",
  "vote.maxApprovals": "Máximo de opciones que puede aprobar una papeleta",
  "vote.maxApprovalsHint": "Déjalo vacío para no poner límite.",
  "vote.maxScore": "Puntuación máxima",
  "vote.maxScoreHint": "Las puntuaciones van de 0 a este valor.",
  "vote.reveal": "Qué revela el resultado",
  "vote.method": "Método de recuento",
  "vote.optionsHint": "Entre 2 y 64 opciones, todas distintas y de 64 caracteres como máximo.",
  "vote.err.twoOptions": ({ n }) =>
    `Una votación necesita al menos dos opciones entre las que elegir; ${n === 1 ? "hay una" : "no hay ninguna"}.`,
  "vote.err.optionLong": ({ start }) => `La opción «${start}…» es demasiado larga: 64 caracteres como máximo.`,
  "vote.err.optionTwice": ({ o }) => `«${o}» aparece dos veces: cada opción debe ser distinta.`,
  "vote.err.maxApprovals": ({ max }) => `Escribe un número entero de 1 a ${max}, o déjalo vacío para no poner límite.`,
  "vote.err.maxScore": "Escribe un número entero de 1 a 100.",
  "survey.type.number": "Número",
  "survey.type.choice": "Una opción",
  "survey.type.multi": "Varias opciones",
  "survey.type.rating": "Valoración",
  "survey.type.yesno": "Sí o no",
  "survey.bucketsPlaceholder": "p. ej. 0, 25, 50, 75",
  "survey.sampleOptions": "rojo,verde,azul",
  "survey.noLimit": "sin límite",
  "survey.lowest": "Mínimo",
  "survey.highest": "Máximo",
  "survey.decimals": "Decimales",
  "survey.buckets": "Límites de los intervalos del histograma (opcional)",
  "survey.bucketsHint": "Separados por comas, dentro del rango.",
  "survey.options": "Opciones, una por línea",
  "survey.maxSel": "Máximo de opciones que puede marcar una persona",
  "survey.scale": "Escala (de 1 a …)",
  "survey.question": ({ id }) => `Pregunta ${id}`,
  "survey.up": ({ id }) => `Subir la pregunta ${id}`,
  "survey.down": ({ id }) => `Bajar la pregunta ${id}`,
  "survey.remove": ({ id }) => `Quitar la pregunta ${id}`,
  "survey.removeButton": "Quitar",
  "survey.text": "Pregunta",
  "survey.description": "Descripción (opcional)",
  "survey.descriptionHint": ({ max }, { num }) =>
    `Se muestra a los participantes bajo la pregunta. Hasta ${num(max)} caracteres; se conservan los saltos de línea.`,
  "survey.type": "Tipo de respuesta",
  "survey.optional": "Opcional: se puede dejar sin responder",
  "survey.err.text": ({ id }) => `Escribe la pregunta ${id}.`,
  "survey.err.min": "Escribe la respuesta más baja permitida.",
  "survey.err.max": "Escribe la respuesta más alta permitida.",
  "survey.err.order": "La respuesta más alta debe ser mayor que la más baja.",
  "survey.err.decimals": "Decimales: un número entero de 0 a 6.",
  "survey.err.buckets": "Los límites de los intervalos son números separados por comas, como 0, 25, 50.",
  "survey.err.bucketOrder": "Escribe los límites de los intervalos de menor a mayor.",
  "survey.err.bucketRange": ({ lo, hi }) =>
    `Los límites de los intervalos deben estar entre la respuesta más baja (${lo}) y la más alta (${hi}).`,
  "survey.err.twoOptions": "Escribe al menos dos opciones, una por línea.",
  "survey.err.optionTwice": "Cada opción debe aparecer una sola vez.",
  "survey.err.optionLong": "Las opciones tienen 64 caracteres como máximo.",
  "survey.err.scale": "La escala es un número entero de 2 a 100.",
  "survey.types":
    "Tipos de pregunta: números, una opción, varias opciones, valoraciones, sí o no. No hay preguntas de texto libre: el texto libre no se puede sumar sin que alguien lo lea.",
  "survey.needOne": "Una encuesta necesita al menos una pregunta.",
  "survey.removed": ({ id }) => `Pregunta ${id} quitada.`,
  "survey.moved": ({ id, to }) => `Pregunta ${id} movida a la posición ${to}.`,
  "survey.sample1": "¿Cuántas horas a la semana le dedicas?",
  "survey.sample2": "¿De qué color debería ser el nuevo logotipo?",
  "survey.add": "Añadir una pregunta",
  "budget.sampleProjects": "parque,biblioteca,piscina",
  "budget.total": "Total que reparte cada participante",
  "budget.totalHint": "Un número entero, p. ej. 100 para porcentajes o el presupuesto en euros.",
  "budget.projects": "Proyectos, uno por línea",
  "budget.err.total": "Escribe el total como un número entero de al menos 1.",
  "budget.err.two": "Un presupuesto necesita al menos dos proyectos entre los que repartir.",
  "budget.err.twice": "Cada proyecto debe aparecer una sola vez.",
  "budget.err.long": "Los nombres de los proyectos tienen 64 caracteres como máximo.",
  "checkb.body":
    "La sesión no admite respuestas. Ciérrala cuando todos los miembros se hayan unido: el comité calcula entonces una respuesta conocida con comparaciones secretas, igual que haría con respuestas reales, y la página de resultados indica si acertó.",
  "checkb.comparisonsHint": (_, { num }) =>
    `De 1 a ${num(100000)}. Más comparaciones tardan más y muestran lo rápido que es el comité.`,
  "checkb.bitsHint": "De 1 a 64. Los valores más anchos tardan más.",
  "checkb.err.comparisons": (_, { num }) => `Escribe un número entero de 1 a ${num(100000)}.`,
  "checkb.err.bits": "Escribe un número entero de 1 a 64.",

  // La configuración del comité (builder/committee-setup.js)
  "committee.notJson":
    "Esto no es JSON. Pega exactamente lo que muestra la consola del miembro en «Claves públicas para quien organiza».",
  "committee.needName": "Cada miembro necesita un nombre.",
  "committee.badKeys": ({ name }) => `Las claves de «${name}» no tienen 64 dígitos hexadecimales cada una.`,
  "committee.badFingerprint": ({ name }) =>
    `La huella indicada para «${name}» no coincide con sus claves. Pídele que vuelva a copiar sus claves.`,
  "committee.notChecked": "(sin comprobar)",
  "committee.tradeOff0": ({ n, offline }, { num }) =>
    `${num(n)} ${n === 1 ? "miembro" : "miembros"}, t = 0: ${offline ? `pueden estar desconectados ${num(offline)} cualesquiera` : "ninguno puede estar desconectado"}, pero un solo miembro puede leer todas las respuestas; el resultado necesita 1 firma.`,
  "committee.tradeOff": ({ n, t, offline }, { num }) =>
    `${num(n)} miembros, t = ${t}: ${offline ? `pueden estar desconectados ${num(offline)} cualesquiera` : "ninguno puede estar desconectado"}; ${t === 1 ? "uno cualquiera puede hacer trampa o confabularse con otros" : `${t} cualesquiera pueden hacer trampa o confabularse entre sí`} sin conocer ninguna respuesta ni alterar el resultado sin que se note. El comité termina mientras haya ${num(2 * t + 1)} conectados; el resultado necesita ${num(t + 1)} firmas.`,
  "committee.remove": ({ name }) => `Quitar a ${name}`,
  "committee.none": "Aún no hay miembros.",
  "committee.add": "Añadir miembro",
  "committee.dupName": ({ name }) => `Ya hay un miembro llamado «${name}».`,
  "committee.dupKeys": ({ name }) => `Las claves de «${name}» ya están en el comité.`,
  "committee.added": ({ names }) => `${names} se ha añadido al comité.`,
  "committee.pasteBefore": "Cada miembro abre la ",
  "committee.consoleLink": "consola del comité",
  "committee.pasteAfter":
    ", crea una clave y te envía sus claves públicas. Comprueba cada huella con el miembro por teléfono o en persona.",
  "committee.paste": "Claves públicas de un miembro (JSON)",
  "committee.pasteHint": "También puedes pegar una lista JSON con varios miembros.",
  "committee.tryOnly": "Solo para probar Sotto. ",
  "committee.tryOnlyBody":
    "Este navegador crea y guarda la clave de cada miembro, así que podría descifrar todas las respuestas. En una sesión real cada miembro guarda su propia clave en su propio dispositivo.",
  "committee.count": "Número de miembros",
  "committee.countHint": "De 1 a 31. Tres es el comité más pequeño con privacidad (t = 1).",
  "committee.addFirst": "Añade miembros para elegir el umbral.",
  "committee.who": "Quién tiene las claves",
  "committee.pasteMode": "Los miembros del comité me envían sus claves públicas",
  "committee.circleMode": "Modo círculo: este navegador crea todas las claves de los miembros (demostración)",
  "committee.threshold": "Umbral de privacidad t",
  "committee.thresholdHint":
    "Un equilibrio entre privacidad y ausencias. Hasta t miembros pueden hacer trampa o confabularse sin conocer ninguna respuesta ni alterar el resultado sin que se note; el comité termina mientras haya 2t + 1 miembros conectados. Así, con n miembros, t es como máximo (n − 1) / 2, y subir t en uno hace que puedan faltar dos miembros menos.",
  "committee.err.tooFew": ({ t, n }) =>
    `Con t = ${t} el comité necesita al menos ${2 * t + 1} miembros (2t + 1) para terminar; tiene ${n}. Elige un t menor o añade miembros.`,
  "committee.err.count": "Escribe un número entero de miembros de 1 a 31.",
  "committee.err.none":
    "Añade al menos un miembro del comité: pega las claves públicas de su consola y pulsa «Añadir miembro». O elige el modo círculo para probar Sotto a solas.",
  "committee.warn1":
    "Un solo miembro no da ninguna privacidad: ese miembro puede leer todas las respuestas. Usa al menos tres miembros (t = 1) para una sesión real.",
  "committee.warn0":
    "Con t = 0 un solo miembro puede leer todas las respuestas. Usa al menos tres miembros para que t pueda ser 1 o más.",

  // El widget (widget.js) y el panel de versión del pie (app-version.js)
  "widget.loading": "Cargando…",
  "widget.retrying": ({ seconds }) => ` Reintentando en ${seconds} s.`,
  "widget.answeredWhen": ({ when }) => ` (${when}). Cada navegador responde una vez.`,
  "widget.check": "Esto es una comprobación del comité: no admite respuestas. Aquí no hay nada que rellenar.",
  "widget.sentBody": " Se cifró en esta página; nadie puede ver tu respuesta individual.",
  "widget.privateBy": "Privacidad con ",
  "version.summary": "Esta copia de Sotto",
  "version.pinned":
    "Fijada en el primer uso: este navegador ejecuta esta versión, y una posterior solo si está firmada con la misma clave de publicación.",
  "version.notPinned":
    "Aún no fijada (o este navegador no guarda service workers aquí): la versión que indica el servidor.",
  "version.version": "Versión",
  "version.hash": "Hash de la aplicación (SHA-384 de index.html)",
  "version.key": "Clave de publicación (Ed25519)",
  "version.signed": "Firmada",
  "version.since": "Fijada desde",
  "version.from": "Actualizada desde",
  "version.unreadable": ({ err }) => `No se pudo leer la versión: ${err}`,

  // La presencia del comité en la vista en directo (presence.js)
  "presence.heading": "Comité",
  "presence.online": ({ time }) => (time ? `conectado desde las ${time}` : "conectado"),
  "presence.computing": ({ time }) => (time ? `calculando (conectado desde las ${time})` : "calculando"),
  "presence.done": "hecho: firmó el resultado",
  "presence.offline": ({ time }) => (time ? `desconectado desde las ${time}` : "aún no se ha conectado"),
  "presence.missing": ({ time }) => (time ? `falta: desconectado desde las ${time}` : "falta: aún no se ha conectado"),
  "presence.waitingSince": ({ name, time }) =>
    `Esperando a ${name} desde las ${time}. El comité necesita a todos sus miembros conectados para calcular: pídele que vuelva a abrir su enlace de miembro en el navegador que guarda su clave.`,
  "presence.waitingOnline": ({ names }) =>
    `Esperando a ${names}: está conectado, pero su parte de este paso aún no ha llegado. Un dispositivo o una conexión lentos pueden tardar.`,
  "presence.waiting": ({ names }) =>
    `Esperando a ${names}. El comité necesita a todos sus miembros conectados para calcular: pídeles que abran su enlace de miembro en el navegador que guarda su clave.`,
};
