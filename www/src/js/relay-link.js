// The app served from another origin than the relay (docs/web.md,
// "Another origin"). A build pointed at a relay (`www/set-relay.mjs`)
// carries its origin in a `sotto-relay` meta tag and in the page's
// `connect-src`; links to such an app carry the relay as `relay=<origin>`
// in their fragment:
//
//   https://app.example/#s=…&h=…&t=…&r=participant&relay=https%3A%2F%2Frelay.example
//
// The package derives the relay from a link's base (`https://HOST/` →
// `wss://HOST/ws`), so the app hands it the same link with the relay's
// origin as base (`toRelayLink`), and shows people the app's own address
// with `relay=` (`toAppLink`). Without the meta tag the app is served by
// its relay and every link stays as it is.

/** The relay origin this build was pointed at (`https://relay.example`), or null. */
export function configuredRelay() {
  const meta = /** @type {HTMLMetaElement | null} */ (document.querySelector('meta[name="sotto-relay"]'));
  return meta ? meta.content : null;
}

/** `origin` when it is a bare http(s) origin, else null. */
function httpOrigin(origin) {
  try {
    const url = new URL(origin);
    return /^https?:$/.test(url.protocol) && url.origin === origin ? origin : null;
  } catch {
    return null;
  }
}

/**
 * The link the package should open: with `relay=<origin>` in the fragment,
 * the same fragment on the relay's origin; any other link as it is. The
 * page's `connect-src` still decides which relays it may reach.
 */
export function toRelayLink(href) {
  const at = href.indexOf("#");
  if (at < 0) return href;
  const fragment = href.slice(at + 1);
  const relay = httpOrigin(new URLSearchParams(fragment).get("relay") ?? "");
  return relay ? `${relay}/#${fragment}` : href;
}

/**
 * The link to show and share: with a configured relay, the package's link
 * (on the relay's origin) as a link to this app with `relay=`; otherwise
 * as it is.
 */
export function toAppLink(link) {
  const relay = configuredRelay();
  const at = link.indexOf("#");
  if (!relay || at < 0) return link;
  const fragment = link.slice(at + 1);
  if (new URLSearchParams(fragment).has("relay")) return `${location.origin}${location.pathname}#${fragment}`;
  return `${location.origin}${location.pathname}#${fragment}&relay=${encodeURIComponent(relay)}`;
}
