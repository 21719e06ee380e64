// English: the catalog every other language falls back to (js/i18n/index.js).
// Entries are strings, or functions of parameters (counts, names, dates
// already formatted with js/format.js).

export default {
  // The app shell
  "language.label": "Language",
  "shell.skip": "Skip to content",
  "shell.nav": "Main",
  "shell.create": "Create",
  "shell.console": "Committee console",
  "shell.footer": "Answers are secret-shared and encrypted in your browser; the server only relays ciphertext.",
  "shell.title": "Sotto: private votes, surveys and budgets",
  "shell.badLinkTitle": "This link cannot be used",
  "shell.cannotStart": "Sotto could not start",

  // Errors: a title and what the person can do
  "err.bad_link.title": "This link is incomplete or damaged",
  "err.bad_link.body":
    "Copy the whole link again from the message you received (it is long and ends with r=…), or ask the organizer to send it again.",
  "err.manifest_mismatch.title": "This session may have been tampered with",
  "err.manifest_mismatch.body":
    "The session description on the server does not match the fingerprint in your link. Do not answer. Tell the organizer, through another channel, that the link failed its check.",
  "err.app_tampered.title": "This copy of Sotto failed its integrity check",
  "err.app_tampered.body":
    "A file of the app does not match the hash the page was built with, so it was not run. Do not answer here. Reload later, or tell the organizer through another channel.",
  "err.invalid_answer.title": "The answer is not complete yet",
  "err.invalid_answer.body": "Check the highlighted questions and try again.",
  "err.relay_unreachable.title": "Cannot reach the Sotto server",
  "err.relay_unreachable.body":
    "Check your connection. Sotto keeps retrying; nothing is confirmed until it gets through.",
  "err.already_submitted.title": "This link has already been used",
  "err.already_submitted.body":
    "Each personal link counts once, and an answer was already stored with it (after a connection problem, possibly your own first attempt). If it was not you, tell the organizer.",
  "err.session_closed.title": "This session is closed",
  "err.session_closed.body":
    "Answers are no longer accepted. The organizer shares the result when the committee has computed it.",
  "err.unauthorized.title": "The server did not accept this link",
  "err.unauthorized.body": "Its access code is not valid for this session. Ask the organizer for a new link.",
  "err.rate_limited.title": "Too many requests in a short time",
  "err.rate_limited.body": "Wait a minute, then try again.",
  "err.refused.title": "The server refused the request",
  "err.refused.body": "The session may not be open yet, or it does not accept this action now.",
  "err.bad_key.title": "The key could not be read",
  "err.bad_key.body": "Check the key file and its passphrase.",
  "err.unverified.title": "The result could not be verified",
  "err.unverified.body":
    "The committee's signatures on the published result do not check out. Do not rely on it; tell the organizer.",
  "err.no_result.title": "No result yet",
  "err.no_result.body": "The committee has not published a signed result yet.",
  "err.computation_failed.title": "The committee could not finish",
  "err.computation_failed.body":
    "A committee member dropped out or disagreed. The organizer can ask the members to join again.",
  "err.member_deviated.title": "A committee member broke the protocol",
  "err.member_deviated.body":
    "The computation stopped and nothing was published, so no wrong result can appear. The details name the member when it can be identified; the organizer can run the count again without it.",
  "err.member_left_out.title": "The other members went on without you",
  "err.member_left_out.body":
    "This member did not answer in time, so the others compute the result without it. Nothing is lost and nothing more is needed from you; the result appears on the results page.",
  "err.storage.title": "This browser's storage is not available",
  "err.storage.body": "Private windows and some settings block it. Use a normal window of a current browser.",
  "err.invalid_options.title": "The session settings are not valid",
  "err.invalid_options.body": "Change the setting named below and try again.",
  "err.internal.title": "Something went wrong",
  "err.internal.body": "Reload the page and try again. If it keeps happening, report it with the time it happened.",
  "err.details": ({ detail }) => `Details: ${detail}`,
  "retry.now": "Try now",
  "retry.next": ({ what, seconds }) => ` Next attempt to ${what} in ${seconds} s.`,
  "retry.reachServer": "reach the server",
  "retry.sendAnswer": "send your answer",

  // Participate
  "kind.vote": "Vote",
  "kind.survey": "Survey",
  "kind.budget": "Budget",
  "kind.check": "Committee check",
  "part.opening": "Opening the session…",
  "part.closesAt": ({ when }) => `Answers close ${when}.`,
  "part.closedTitle": "This session is closed",
  "part.closedBody": ({ when }) =>
    `Answers closed ${when}. The organizer shares the result when the committee has computed it.`,
  "part.answeredTitle": "You already answered from this browser",
  "part.answeredBody": ({ when }) =>
    `This browser sent an answer with this link on ${when}. Each browser answers once, so nothing more can be sent from here.`,
  "part.downloadThatReceipt": "Download that receipt",
  "part.checkTitle": "This is a committee check: it takes no answers",
  "part.checkBody":
    "The organizer uses it to check, before a real session, that every committee member is online and computes correctly. There is nothing to fill in: you can close this page.",
  "part.sentTitle": "Your answer was sent",
  "part.sentBody":
    "It was encrypted in this browser and stored by the server for the committee. Nobody can see your individual answer.",
  "part.keepReceipt": "Keep the receipt: it proves that the server stored your answer, without revealing what it was.",
  "part.countedLater":
    "When the result is out, open the results link the organizer shares in this browser (or give it the receipt): it shows whether your answer was counted. The committee signs the receipts it counted with the result.",
  "part.sent": "Sent",
  "part.position": "Stored as answer number",
  "part.receiptCode": "Receipt code",
  "part.whatCode": "What the code is",
  "part.whatCodeBody":
    "A fingerprint of your encrypted answer that the server returned when it stored it. It cannot be turned back into your answer.",
  "part.receiptFile": "The receipt as the file contains it",
  "part.receiptLabel": "Receipt",
  "part.downloadReceipt": "Download receipt",
  "part.submit": "Encrypt and submit",
  "part.cannotFromHere": "Cannot submit from here",
  "part.cannotSubmit": "Cannot submit",
  "part.ready": "Ready to submit.",
  "part.sending": "Encrypting and sending…",
  "part.yourAnswer": "Your answer",
  "part.announceSent": "Your answer was sent.",

  // What leaves your browser
  "privacy.heading": "What leaves your browser",
  "privacy.shares": ({ n }) =>
    `Only encrypted pieces. This page splits your answer into ${n} random-looking shares and encrypts each one to one committee member:`,
  "privacy.fingerprint": "key fingerprint ",
  "privacy.single": "Warning: in this session a single committee member could read your answer.",
  "privacy.collusion": ({ t, n }) =>
    `${t === 1 ? "No single member learns anything" : `Up to ${t} of them together learn nothing`} about your answer: it would take ${t + 1} of the ${n} members working together to read it. The committee only publishes the combined result the session allows.`,
  "privacy.server":
    "The server stores and forwards the encrypted shares; it sees their size and when they arrived, not your answer.",
  "privacy.sessionFingerprint": "Session fingerprint checked against your link: ",

  // Checking a receipt (results page)
  "receipt.heading": "Check your receipt",
  "receipt.none": "This result lists no receipts.",
  "receipt.intro": ({ n }) =>
    `With the result, the committee members signed the receipts of the ${n === 1 ? "1 answer" : `${n} answers`} they counted. Your receipt shows whether yours is among them, without revealing what you answered.`,
  "receipt.code": "Receipt code",
  "receipt.check": "Check",
  "receipt.file": "Or the receipt file",
  "receipt.sentOn": ({ when }) => ` (sent ${when})`,
  "receipt.counted": ({ code, on }) =>
    `Your answer was counted: receipt ${code}${on} is among the receipts the committee signed.`,
  "receipt.missing": ({ code, on }) =>
    `Your answer is missing: receipt ${code}${on} is not among the receipts the committee signed as counted. It was not received, or the committee found it invalid. Tell the organizer.`,
  "receipt.unknown": ({ code }) =>
    `This result does not list the receipts it counted, so receipt ${code} cannot be checked.`,
  "receipt.unreadable":
    "That is not a receipt: a receipt code is 64 characters of 0-9 and a-f, or the receipt file this site gave you.",

  // The answer forms (answer-form.js)
  "form.prompt.plurality": "Choose one option.",
  "form.prompt.approval": "Tick every option you approve of.",
  "form.prompt.score": "Give each option a score.",
  "form.prompt.borda": "Rank all options, most preferred first.",
  "form.prompt.irv":
    "Rank all options, most preferred first. If your first choice is eliminated, your vote moves to your next choice.",
  "form.atMost": ({ n }) => ` At most ${n}.`,
  "form.moveUp": ({ o }) => `Move ${o} up`,
  "form.moveDown": ({ o }) => `Move ${o} down`,
  "form.yourChoice": "Your choice",
  "form.approve": "Options you approve of",
  "form.scores": "Scores",
  "form.scoreRange": ({ hint, max }) => `${hint} From 0 to ${max}.`,
  "form.yourRanking": "Your ranking",
  "form.numberHint": ({ lo, hi, decimals }) =>
    `A number from ${lo} to ${hi}${decimals ? `, with up to ${decimals} decimal${decimals > 1 ? "s" : ""}` : ""}.`,
  "form.tickUpTo": ({ n }) => `Tick up to ${n}.`,
  "form.tickAll": "Tick all that apply.",
  "form.ratingHint": ({ scale }) => `1 is lowest, ${scale} is highest.`,
  "form.yes": "Yes",
  "form.no": "No",
  "form.unsupported": ({ type }) => `Unsupported question type ${type}.`,
  "form.allAllocated": ({ total }) => `All ${total} allocated.`,
  "form.leftToAllocate": ({ sum, total, left }) => `${sum} of ${total} allocated: ${left} left to allocate.`,
  "form.tooMany": ({ sum, total, over }) => `${sum} of ${total} allocated: ${over} too many.`,
  "form.split": ({ total }) => `Split ${total} between the projects`,
  "form.splitHint": "Whole numbers; the amounts must add up to the total exactly.",

  // Plain validation messages (plain-message.js)
  "plain.vote.choice": "Choose one of the options.",
  "plain.vote.approve": "Tick at least the options you approve of.",
  "plain.vote.scores": "Give each option a score.",
  "plain.vote.ranking": "Rank all the options.",
  "plain.answer": ({ question }) => `Please answer “${question}”.`,
  "plain.incomplete": "The answer is not complete.",
};
