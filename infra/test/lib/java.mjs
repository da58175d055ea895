// A deliberately small reader of the functions' Java sources: enough to find, for each Lambda handler, the
// AWS SDK calls its code can reach. It is method-level and name-based (no type inference beyond declared
// types), which over-approximates a little (all overloads of a name) and never under-approximates a call
// written as `receiver.method(...)`, `Type.staticMethod(...)`, `a.b(...).c(...)` or `method(...)` in the
// same class. Interface calls reach every implementation in the sources.
import fs from "node:fs";
import path from "node:path";

/** SDK client types and the service they talk to. */
export const SDK_CLIENTS = {
  DynamoDbClient: "dynamodb",
  S3Client: "s3",
  S3Presigner: "s3",
  SnsClient: "sns",
  SqsClient: "sqs",
};

/** Blank out comments and the contents of string/char literals (keeping offsets), so braces and dots in them
 * do not confuse the scanner. Returns { code, strings: [{start, value}] }. */
export function stripJava(src) {
  const out = src.split("");
  const strings = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === "/" && n === "/") {
      while (i < src.length && src[i] !== "\n") out[i++] = " ";
    } else if (c === "/" && n === "*") {
      while (i < src.length && !(src[i] === "*" && src[i + 1] === "/")) { if (src[i] !== "\n") out[i] = " "; i++; }
      out[i] = " "; out[i + 1] = " "; i += 2;
    } else if (c === '"' && src.startsWith('"""', i)) {
      const start = i; i += 3;
      while (i < src.length && !src.startsWith('"""', i)) { if (src[i] !== "\n") out[i] = " "; i++; }
      strings.push({ start, value: src.slice(start + 3, i) });
      i += 3;
    } else if (c === '"' || c === "'") {
      const start = i; i++;
      let value = "";
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\") { value += src[i + 1]; out[i] = " "; out[i + 1] = " "; i += 2; continue; }
        value += src[i]; out[i] = " "; i++;
      }
      if (c === '"') strings.push({ start, value });
      i++;
    } else {
      i++;
    }
  }
  return { code: out.join(""), strings };
}

function matchBrace(code, open) {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === "{") depth++;
    else if (code[i] === "}") { depth--; if (depth === 0) return i; }
  }
  return code.length - 1;
}

const KEYWORDS = new Set(["if", "for", "while", "switch", "catch", "return", "new", "throw", "else", "try",
  "synchronized", "do", "case", "super", "this", "assert", "yield"]);

function parseTypeBody(code, bodyStart, name, kind, impl, out) {
  const bodyEnd = matchBrace(code, bodyStart);
  const methods = {};
  let segStart = bodyStart + 1;
  for (let i = bodyStart + 1; i < bodyEnd; i++) {
    const ch = code[i];
    if (ch === "{") {
      const header = code.slice(segStart, i);
      const end = matchBrace(code, i);
      const nested = header.match(/\b(class|interface|record|enum)\s+(\w+)([^{]*)$/);
      if (nested) {
        parseTypeBody(code, i, nested[2], nested[1], implementsOf(nested[3]), out);
      } else {
        const m = header.match(/([\w<>\[\]?,.\s]*?)\b(\w+)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*(?:throws\s+[\w.,\s]+)?\s*$/);
        if (m && !KEYWORDS.has(m[2])) {
          const returnTokens = m[1].trim().split(/\s+/).filter((t) => !/^(public|private|protected|static|final|synchronized|abstract|default|native)$/.test(t));
          const returnType = (returnTokens.join(" ").replace(/<.*>/, "").trim().split(".").pop()) || name;
          const mname = m[2] === name ? "<init>" : m[2];
          (methods[mname] ||= []).push({ returnType, params: m[3], body: code.slice(i, end + 1), offset: i });
        }
      }
      i = end;
      segStart = end + 1;
      continue;
    }
    if (ch === ";" || ch === "}") segStart = i + 1;
  }
  if (kind === "interface") {
    for (const m of code.slice(bodyStart, bodyEnd).matchAll(/\b(\w+)\s*\([^()]*\)\s*;/g)) methods[m[1]] ||= [];
  }
  out.push({ name, kind, implements: impl, methods });
}

function implementsOf(rest) {
  return ((rest.match(/\bimplements\s+([\w\s,.<>]+)/) || [])[1] || "")
    .split(",").map((s) => s.replace(/<.*$/, "").trim().split(".").pop()).filter(Boolean);
}

/** One Java source file: its types (nested ones too) with methods and bodies, declared types of names,
 * string constants, and the @Named value of the top-level type. */
export function parseJavaFile(file) {
  const src = fs.readFileSync(file, "utf8");
  const { code, strings } = stripJava(src);
  const head = code.match(/\b(class|interface|record|enum)\s+(\w+)([^{]*)\{/);
  if (!head) return [];
  const types = [];
  parseTypeBody(code, head.index + head[0].length - 1, head[2], head[1], implementsOf(head[3]), types);

  // Declared types of every name in the file: fields, parameters, locals (file-wide, name-based).
  const varTypes = {};
  const add = (v, t) => { (varTypes[v] ||= new Set()).add(t.split(".").pop()); };
  for (const m of code.matchAll(/\b([A-Z][\w.]*)(?:<[^;(){}]*?>)?(?:\[\])?\s+(\w+)\s*(?=[=;,):])/g)) add(m[2], m[1]);
  for (const m of code.matchAll(/\bvar\s+(\w+)\s*=\s*([A-Z][\w.]*)\.builder\(\)/g)) add(m[1], m[2]);
  for (const m of code.matchAll(/\bvar\s+(\w+)\s*=\s*new\s+([A-Z][\w.]*)/g)) add(m[1], m[2]);

  const constants = {};
  for (const m of src.matchAll(/static\s+final\s+String\s+(\w+)\s*=\s*"([^"]*)"\s*;/g)) constants[m[1]] = m[2];
  const named = (src.slice(0, head.index + 200).match(/@Named\(\s*"([^"]+)"\s*\)/) || [])[1] || null;
  return types.map((t, i) => ({ ...t, file, varTypes, constants, named: t.name === head[2] ? named : null, src, code, strings }));
}

export function loadJava(dirs) {
  const classes = {};
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".java")) {
        for (const c of parseJavaFile(p)) classes[c.name] = c;
      }
    }
  };
  dirs.forEach(walk);
  return classes;
}

/**
 * Every SDK call reachable from `entry` = {cls, method}. Returns [{service, method, cls, via}] where cls is the
 * class whose code makes the call. `indirections` lists calls through functional fields that a name-based
 * reader cannot follow: {cls, receiver, method, sdk: {client, method, inClass}}.
 */
export function reachableSdkCalls(classes, entry, indirections = []) {
  const implsOf = (t) => Object.values(classes).filter((c) => c.implements.includes(t)).map((c) => c.name);
  const targets = (t, m) => {
    const c = classes[t];
    if (!c) return [];
    const out = [];
    if (c.methods[m]) out.push([t, m]);
    if (c.kind === "interface") for (const impl of implsOf(t)) if (classes[impl].methods[m]) out.push([impl, m]);
    return out;
  };
  const seen = new Set();
  const calls = [];
  const stack = [[entry.cls, entry.method, `${entry.cls}.${entry.method}`]];
  while (stack.length) {
    const [cn, mn, via] = stack.pop();
    const key = `${cn}.${mn}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const c = classes[cn];
    if (!c || !c.methods[mn]) continue;
    for (const decl of c.methods[mn]) {
      const body = decl.body;
      const push = (t, m) => { for (const [tc, tm] of targets(t, m)) stack.push([tc, tm, `${via} → ${tc}.${tm}`]); };
      // receiver.method(
      for (const m of body.matchAll(/(?<![\w.])(\w+)\s*\.\s*(\w+)\s*\(/g)) {
        const [, recv, meth] = m;
        if (recv === "this") { push(cn, meth); continue; }
        if (classes[recv]) { push(recv, meth); continue; }
        for (const t of c.varTypes[recv] || []) {
          if (SDK_CLIENTS[t]) calls.push({ service: SDK_CLIENTS[t], client: t, method: meth, cls: cn, via });
          else push(t, meth);
        }
        for (const ind of indirections) {
          if (ind.cls === cn && ind.receiver === recv && ind.method === meth) {
            calls.push({ service: SDK_CLIENTS[ind.sdk.client], client: ind.sdk.client, method: ind.sdk.method,
              cls: cn, via: `${via} → ${recv}.${meth} (${ind.sdk.inClass})`, indirect: true });
          }
        }
      }
      // receiver.first(...).second(   (one level of chaining through a declared return type)
      for (const m of body.matchAll(/(?<![\w.])(\w+)\s*\.\s*(\w+)\s*\([^()]*\)\s*\.\s*(\w+)\s*\(/g)) {
        const [, recv, first, second] = m;
        const recvTypes = classes[recv] ? [recv] : [...(c.varTypes[recv] || [])];
        for (const t of recvTypes) {
          for (const d of classes[t]?.methods[first] || []) push(d.returnType, second);
        }
      }
      // bare method( in the same class, and new Type(
      for (const m of body.matchAll(/(?<![\w.])(\w+)\s*\(/g)) {
        if (!KEYWORDS.has(m[1]) && c.methods[m[1]]) push(cn, m[1]);
      }
      for (const m of body.matchAll(/\bnew\s+(\w+)\s*[(<]/g)) push(m[1], "<init>");
      // method references: recv::method, Type::method
      for (const m of body.matchAll(/(?<![\w.])(\w+)\s*::\s*(\w+)/g)) {
        if (m[1] === "this") push(cn, m[2]);
        else if (classes[m[1]]) push(m[1], m[2]);
        else for (const t of c.varTypes[m[1]] || []) push(t, m[2]);
      }
      // try-with-resources closes what it opens
      for (const m of body.matchAll(/\btry\s*\(([^)]*)\)/g)) {
        for (const r of m[1].matchAll(/([A-Z][\w.]*)(?:<[^>]*>)?\s+\w+\s*=/g)) push(r[1].split(".").pop(), "close");
      }
    }
  }
  return { calls, methods: seen };
}
