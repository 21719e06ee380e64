// Retrying while the relay is unreachable (or rate limits us), with a
// visible countdown and a "Try now" button.

import { h, replace } from "./dom.js";
import { errorNotice } from "./errors.js";
import { t } from "./i18n/index.js";

const RETRYABLE = new Set(["relay_unreachable", "rate_limited"]);

export function isRetryable(err) {
  return RETRYABLE.has(err?.code);
}

/**
 * Calls `fn` until it succeeds or fails with a non-retryable error.
 * Between attempts `onWait(err, seconds, retryNow)` is told how long the
 * pause is; calling `retryNow()` ends it early. Backs off from 2 s to 30 s.
 */
export async function retrying(fn, onWait) {
  let delay = 2;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, delay * 1000);
        onWait?.(err, delay, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      delay = Math.min(delay * 2, 30);
    }
  }
}

/** An `onWait` for `retrying` that shows the notice in `area`; `what` (a catalog key, or words) ends "Next attempt to … in N s". */
export function retryNotice(area, what) {
  return (err, seconds, retryNow) => {
    replace(
      area,
      errorNotice(err, {
        showDetail: false,
        actions: [h("button", { type: "button", onclick: retryNow }, t("retry.now"))],
      }),
    );
    area.querySelector("p")?.append(t("retry.next", { what: t(what), seconds }));
  };
}
