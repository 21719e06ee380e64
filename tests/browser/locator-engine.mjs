// The in-page half of tests/browser/puppeteer-compat.mjs: resolves a
// Playwright-style locator (a list of steps: CSS, text, role, label, nth,
// filters, `or`) to elements and runs one operation on them.
//
// `locate` is passed to puppeteer's `page.evaluate` as a function, so it
// must be self-contained (no closures over module scope) and must not use
// `eval` or `new Function` (the app's Content-Security-Policy forbids them).
// The matching rules follow Playwright's selector engines: CSS pierces open
// shadow roots; getByText, getByLabel and getByRole match a case-insensitive
// substring of the whitespace-normalized text unless `exact`; getByRole
// skips elements hidden from the accessibility tree.

/**
 * Resolves `steps` in the page and runs `op` on the result.
 *
 * Ops on all matches: `count`, `textContents`, `elements` (the array).
 * Ops on exactly one match (a result `{missing: true}` when none, `{strict: n}`
 * when several): `element`, `state` (visible, enabled, editable, checked),
 * `innerText`, `textContent`, `inputValue`, `getAttribute`, `isChecked`,
 * `isDisabled`, `fill`, `selectOption`.
 *
 * @param {object[]} steps the locator's steps (see puppeteer-compat.mjs)
 * @param {string} op the operation
 * @param {unknown} arg the operation's argument
 * @returns {unknown} `{value}` on success, or `{missing}` / `{strict}` / `{error}`
 */
export function locate(steps, op, arg) {
  const normalize = (s) =>
    s
      .replace(/[\u200b\u00ad]/g, "")
      .trim()
      .replace(/\s+/g, " ");
  const SKIP = new Set(["SCRIPT", "NOSCRIPT", "STYLE", "TEMPLATE"]);
  const skipped = (el) => SKIP.has(el.nodeName) || (document.head && document.head.contains(el));
  const textCache = new Map();

  /** Text of an element or shadow root, shadow content included (Playwright's elementText). */
  function elementText(root) {
    let v = textCache.get(root);
    if (v) return v;
    v = { full: "", immediate: [] };
    if (!(root.nodeType === 1 && skipped(root))) {
      if (root instanceof HTMLInputElement && (root.type === "submit" || root.type === "button")) {
        v = { full: root.value, immediate: [root.value] };
      } else {
        let current = "";
        for (let c = root.firstChild; c; c = c.nextSibling) {
          if (c.nodeType === 3) {
            v.full += c.nodeValue || "";
            current += c.nodeValue || "";
          } else if (c.nodeType === 1) {
            if (current) v.immediate.push(current);
            current = "";
            v.full += elementText(c).full;
          }
        }
        if (current) v.immediate.push(current);
        if (root.shadowRoot) v.full += elementText(root.shadowRoot).full;
      }
    }
    v.normalized = normalize(v.full);
    textCache.set(root, v);
    return v;
  }

  /** A matcher on elementText values: `{text, exact}` or `{regex: {source, flags}}`. */
  function textMatcher(m) {
    if (m.regex) {
      const re = new RegExp(m.regex.source, m.regex.flags);
      return (t) => {
        re.lastIndex = 0;
        return re.test(t.normalized);
      };
    }
    const wanted = normalize(m.text);
    if (m.exact) return (t) => t.normalized === wanted || t.immediate.some((s) => normalize(s) === wanted);
    const lower = wanted.toLowerCase();
    return (t) => t.normalized.toLowerCase().includes(lower);
  }
  /** A matcher on plain strings (accessible names). */
  function stringMatcher(m) {
    const match = textMatcher(m);
    return (s) => {
      const n = normalize(s);
      return match({ full: s, normalized: n, immediate: [s] });
    };
  }

  /**
   * Every element under `scope` (document or element, not the element
   * itself), open shadow roots included, in Playwright's order: the light
   * tree first, then the scope's shadow root, then each descendant's.
   */
  function allUnder(scope) {
    const light = Array.from(scope.querySelectorAll("*"));
    const out = [...light];
    for (const el of scope.nodeType === 1 ? [scope, ...light] : light) {
      if (el.shadowRoot) out.push(...allUnder(el.shadowRoot));
    }
    return out;
  }
  /** The element's parent, or its shadow host at the top of a shadow tree. */
  const composedParent = (el) => el.parentElement ?? (el.parentNode instanceof ShadowRoot ? el.parentNode.host : null);
  /** Splits a selector at top-level `sep` characters (outside brackets, parentheses and quotes). */
  function splitTop(selector, sep) {
    const parts = [];
    let depth = 0;
    let quote = null;
    let current = "";
    for (const ch of selector) {
      if (quote) {
        if (ch === quote) quote = null;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === "[" || ch === "(") depth += 1;
      else if (ch === "]" || ch === ")") depth -= 1;
      else if (depth === 0 && sep.test(ch)) {
        parts.push(current);
        current = "";
        continue;
      }
      current += ch;
    }
    parts.push(current);
    return parts.map((p) => p.trim()).filter(Boolean);
  }
  /**
   * `el.matches(selector)`, where descendant combinators also cross shadow
   * boundaries like Playwright's CSS engine (`sotto-vote [data-code]`
   * matches inside the widget's shadow root). Other combinators do not.
   */
  function matchesPiercing(el, selector) {
    if (el.matches(selector)) return true;
    return splitTop(selector, /,/).some((one) => {
      const parts = splitTop(one, /\s/);
      if (
        parts.length < 2 ||
        parts.some((p) => /^[>+~]$/.test(p) || /[>+~]/.test(p.replace(/\[[^\]]*\]|\([^)]*\)/g, "")))
      )
        return el.matches(one);
      if (!el.matches(parts[parts.length - 1])) return false;
      let i = parts.length - 2;
      for (let n = composedParent(el); n && i >= 0; n = composedParent(n)) if (n.matches(parts[i])) i -= 1;
      return i < 0;
    });
  }
  function queryCss(scope, selector) {
    return allUnder(scope).filter((el) => matchesPiercing(el, selector));
  }

  function isVisible(el) {
    if (!el.isConnected) return false;
    if (typeof el.checkVisibility === "function" && !el.checkVisibility({ visibilityProperty: true })) {
      // display: contents has no box of its own; its children may be visible.
      if (getComputedStyle(el).display !== "contents") return false;
      return Array.from(el.children).some(isVisible);
    }
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  }
  /** Hidden from the accessibility tree: not rendered, or aria-hidden on it or an ancestor. */
  function hiddenForAria(el) {
    for (let n = el; n; n = n.parentElement || (n.getRootNode() instanceof ShadowRoot ? n.getRootNode().host : null)) {
      if (n.getAttribute && n.getAttribute("aria-hidden") === "true") return true;
    }
    if (typeof el.checkVisibility === "function") {
      if (el.checkVisibility({ visibilityProperty: true })) return false;
      return getComputedStyle(el).display !== "contents";
    }
    return getComputedStyle(el).visibility === "hidden";
  }

  const byId = (el, id) => el.getRootNode().getElementById?.(id) ?? document.getElementById(id);
  function labelledBy(el) {
    const ids = el.getAttribute("aria-labelledby");
    if (!ids) return null;
    const els = ids
      .split(/\s+/)
      .map((id) => byId(el, id))
      .filter(Boolean);
    return els.length ? els : null;
  }
  /** The texts that label `el` (Playwright's getElementLabels). */
  function labelsOf(el) {
    const by = labelledBy(el);
    if (by) return by.map(elementText);
    const aria = el.getAttribute("aria-label");
    if (aria && aria.trim()) return [{ full: aria, normalized: normalize(aria), immediate: [aria] }];
    const labelable =
      ["BUTTON", "METER", "OUTPUT", "PROGRESS", "SELECT", "TEXTAREA"].includes(el.nodeName) ||
      (el.nodeName === "INPUT" && el.type !== "hidden");
    if (labelable && el.labels) return Array.from(el.labels, elementText);
    return [];
  }

  function role(el) {
    const explicit = el.getAttribute("role");
    if (explicit && explicit.trim()) return explicit.trim().split(/\s+/)[0];
    const tag = el.nodeName;
    if (tag === "BUTTON") return "button";
    if (tag === "INPUT") {
      const t = el.type;
      if (["button", "submit", "reset", "image", "file"].includes(t)) return "button";
      if (t === "checkbox") return "checkbox";
      if (t === "radio") return "radio";
      if (t === "range") return "slider";
      if (t === "number") return "spinbutton";
      if (t === "search") return el.hasAttribute("list") ? "combobox" : "searchbox";
      if (["email", "tel", "text", "url", ""].includes(t)) return el.hasAttribute("list") ? "combobox" : "textbox";
      return null;
    }
    if (/^H[1-6]$/.test(tag)) return "heading";
    if (tag === "A" || tag === "AREA") return el.hasAttribute("href") ? "link" : null;
    if (tag === "TEXTAREA") return "textbox";
    if (tag === "SELECT") return el.multiple || el.size > 1 ? "listbox" : "combobox";
    if (tag === "OPTION") return "option";
    if (tag === "TABLE") return "table";
    if (tag === "TR") return "row";
    if (tag === "TD") return "cell";
    if (tag === "TH") return "columnheader";
    if (tag === "UL" || tag === "OL") return "list";
    if (tag === "LI") return "listitem";
    if (tag === "NAV") return "navigation";
    if (tag === "MAIN") return "main";
    if (tag === "DIALOG") return "dialog";
    if (tag === "IMG") return el.getAttribute("alt") === "" ? "presentation" : "img";
    if (tag === "FIELDSET") return "group";
    if (tag === "FORM") return "form";
    if (tag === "DETAILS") return "group";
    // No role for SUMMARY: Playwright gives it none (its
    // kImplicitRoleByTagName), and this engine follows Playwright.
    return null;
  }
  const NAME_FROM_CONTENT = new Set([
    "button",
    "cell",
    "checkbox",
    "columnheader",
    "gridcell",
    "heading",
    "link",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "option",
    "radio",
    "row",
    "rowheader",
    "switch",
    "tab",
    "tooltip",
    "treeitem",
  ]);

  /** Text of the flat tree under `node` for a name from content: hidden parts skipped, alt text of images. */
  function contentText(node) {
    let out = "";
    const children =
      node.nodeType === 1 && node.shadowRoot
        ? node.shadowRoot.childNodes
        : node.nodeName === "SLOT" && node.assignedNodes().length
          ? node.assignedNodes()
          : node.childNodes;
    for (const c of children) {
      if (c.nodeType === 3) out += c.nodeValue;
      else if (c.nodeType === 1) {
        if (skipped(c) || c.getAttribute("aria-hidden") === "true" || (c.nodeName !== "SLOT" && hiddenForAria(c)))
          continue;
        const display = getComputedStyle(c).display;
        const inline = display === "inline" || display === "contents";
        let t;
        if (c.nodeName === "IMG") t = c.getAttribute("alt") || "";
        else if (c.getAttribute("aria-label")?.trim()) t = c.getAttribute("aria-label");
        else if (c instanceof HTMLInputElement && ["submit", "button", "reset"].includes(c.type)) t = c.value;
        else t = contentText(c);
        out += inline ? t : ` ${t} `;
      }
    }
    return out;
  }
  /** A simplified accessible name (aria-labelledby, aria-label, labels, value, content, title). */
  function accessibleName(el, r) {
    const by = labelledBy(el);
    if (by) return by.map((e) => contentText(e)).join(" ");
    const aria = el.getAttribute("aria-label");
    if (aria && aria.trim()) return aria;
    if (el instanceof HTMLInputElement) {
      if (["submit", "button", "reset"].includes(el.type))
        return el.value || (el.type === "submit" ? "Submit" : el.type === "reset" ? "Reset" : "");
      if (el.type === "image") return el.alt || "";
    }
    if (el.labels && el.labels.length) return Array.from(el.labels, (l) => contentText(l)).join(" ");
    if (NAME_FROM_CONTENT.has(r)) {
      const t = normalize(contentText(el));
      if (t) return t;
    }
    if (el.nodeName === "FIELDSET") {
      const legend = el.querySelector(":scope > legend");
      if (legend) return contentText(legend);
    }
    return el.getAttribute("title") || el.getAttribute("placeholder") || "";
  }

  /** Applies one step to the current matches. `scopes` are elements or the document. */
  function apply(scopes, step) {
    const union = (lists) => {
      const set = new Set();
      for (const l of lists) for (const e of l) set.add(e);
      return Array.from(set);
    };
    switch (step.kind) {
      case "css":
        return union(scopes.map((s) => queryCss(s, step.selector)));
      case "text": {
        const match = textMatcher(step);
        return union(
          scopes.map((s) =>
            allUnder(s).filter((el) => {
              if (skipped(el) || !match(elementText(el))) return false;
              if (step.exact) return true;
              for (let c = el.firstElementChild; c; c = c.nextElementSibling) if (match(elementText(c))) return false;
              return !(el.shadowRoot && match(elementText(el.shadowRoot)));
            }),
          ),
        );
      }
      case "label": {
        const match = textMatcher(step);
        return union(scopes.map((s) => allUnder(s).filter((el) => labelsOf(el).some(match))));
      }
      case "role": {
        const nameMatch = step.name ? stringMatcher(step.name) : null;
        return union(
          scopes.map((s) =>
            allUnder(s).filter((el) => {
              if (role(el) !== step.role || hiddenForAria(el)) return false;
              if (step.checked !== undefined && el.checked !== step.checked) return false;
              return !nameMatch || nameMatch(accessibleName(el, step.role));
            }),
          ),
        );
      }
      case "hasText": {
        const match = textMatcher(step);
        return scopes.filter((el) => match(elementText(el)));
      }
      case "has":
        return scopes.filter((el) => resolve(step.steps, [el]).length > 0);
      case "nth": {
        const i = step.index < 0 ? scopes.length + step.index : step.index;
        return i >= 0 && i < scopes.length ? [scopes[i]] : [];
      }
      case "or": {
        const set = new Set([...scopes, ...resolve(step.steps, [document])]);
        return Array.from(set).sort((a, b) =>
          a === b ? 0 : a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
        );
      }
      default:
        throw new Error(`unknown locator step ${step.kind}`);
    }
  }
  function resolve(list, scopes) {
    let current = scopes;
    for (const step of list) current = apply(current, step);
    return current;
  }

  let els;
  try {
    els = resolve(steps, [document]);
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
  if (op === "count") return { value: els.length };
  if (op === "elements") return els;
  if (op === "textContents") return { value: els.map((e) => e.textContent) };
  if (els.length === 0) return op === "element" ? null : { missing: true };
  if (els.length > 1) return op === "element" ? null : { strict: els.length };
  const el = els[0];
  const editable = () => !el.matches(":disabled") && !el.readOnly;
  switch (op) {
    case "element":
      return el;
    case "state":
      return {
        value: {
          visible: isVisible(el),
          enabled: !(el.matches(":disabled") || el.closest("[aria-disabled=true]")),
          editable: editable(),
          checked: el.checked ?? el.getAttribute("aria-checked") === "true",
        },
      };
    case "innerText":
      return { value: el.innerText };
    case "textContent":
      return { value: el.textContent };
    case "inputValue":
      if (!("value" in el) || !["INPUT", "TEXTAREA", "SELECT"].includes(el.nodeName))
        return { error: "not an input, textarea or select element" };
      return { value: el.value };
    case "getAttribute":
      return { value: el.getAttribute(arg) };
    case "isChecked":
      return { value: el.checked ?? el.getAttribute("aria-checked") === "true" };
    case "isDisabled":
      return { value: el.matches(":disabled") || Boolean(el.closest("[aria-disabled=true]")) };
    case "fill": {
      // Like Playwright's fill: focus, replace the value, fire `input`
      // (and `change` for the types Playwright sets directly).
      if (!["INPUT", "TEXTAREA"].includes(el.nodeName) && !el.isContentEditable)
        return { error: "not an input, textarea or contenteditable element" };
      if (!editable()) return { retry: "not editable" };
      const setDirectly = ["color", "date", "time", "datetime-local", "month", "range", "week"].includes(el.type);
      if (el.type === "number" && arg !== "" && Number.isNaN(Number(arg)))
        return { error: `cannot type "${arg}" into input[type=number]` };
      el.focus();
      if (el.isContentEditable) el.textContent = arg;
      else el.value = arg;
      el.dispatchEvent(
        new InputEvent("input", {
          bubbles: true,
          composed: true,
          inputType: arg ? "insertText" : "deleteContentBackward",
          data: arg || null,
        }),
      );
      if (setDirectly) el.dispatchEvent(new Event("change", { bubbles: true }));
      return { value: true };
    }
    case "selectOption": {
      if (el.nodeName !== "SELECT") return { error: "not a select element" };
      const option = Array.from(el.options).find((o) => o.value === arg || o.label === arg);
      if (!option) return { retry: `no option ${arg}` };
      el.value = option.value;
      el.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
      return { value: [option.value] };
    }
    default:
      return { error: `unknown op ${op}` };
  }
}
