import { SecretSource } from '../compose/compose-model';

// Which values of a stack are secret, and which of them can be masked without hiding ordinary
// text. The runner masks every occurrence of a registered value in the whole job log, so a flag
// such as MYSQL_ALLOW_EMPTY_PASSWORD=yes must never be registered: every later "yes" would read ***.

/** Name parts that mark a secret wherever they stand in the name (DBPASSWORD, MYSECRET_X). */
const SECRET_SUBSTRINGS = ['PASSWORD', 'PASSWD', 'SECRET', 'CREDENTIAL', 'PRIVATE'];

/** Name parts that mark a secret only as a whole word: KEY in API_KEY, not in MONKEY or KEYCLOAK. */
const SECRET_WORDS = new Set(['PASS', 'PWD', 'TOKEN', 'TOKENS', 'KEY', 'KEYS', 'APIKEY', 'ACCESSKEY', 'AUTHTOKEN', 'ACCESSTOKEN', 'PASSPHRASE']);

/** Values that are flags or numbers, never secrets worth masking. */
const FLAG_VALUES = new Set(['yes', 'no', 'true', 'false', 'on', 'off', 'y', 'n', 'none', 'null']);

/** Shorter values are not masked: masking "abc" would hide it in every word of the job log. */
export const MIN_MASKED_LENGTH = 4;

/** The words of a variable name: split at anything but letters and digits, and at camelCase. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toUpperCase());
}

/** Whether a variable of this name holds a secret, case-insensitively. */
export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  // A path to a secret (MYSQL_PASSWORD_FILE) is not the secret; PWD alone is the working directory.
  if (/_FILE$/.test(upper) || upper === 'PWD' || upper === 'OLDPWD') return false;
  if (SECRET_SUBSTRINGS.some((s) => upper.includes(s))) return true;
  return nameWords(name).some((w) => SECRET_WORDS.has(w));
}

/** Passwords written inside URL-shaped values: `scheme://user:password@host`. */
export function passwordsInUrls(value: string): string[] {
  const found: string[] = [];
  for (const m of value.matchAll(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/g)) {
    found.push(m[1]);
    try {
      const decoded = decodeURIComponent(m[1]);
      if (decoded !== m[1]) found.push(decoded);
    } catch {
      // Not valid percent-encoding: the raw form is all there is.
    }
  }
  return found;
}

/** Whether a secret value can be masked without hiding ordinary words and numbers. */
export function isMaskable(value: string): boolean {
  const v = value.trim();
  if (v.length < MIN_MASKED_LENGTH) return false;
  if (FLAG_VALUES.has(v.toLowerCase())) return false;
  if (/^\d+$/.test(v)) return false;
  return true;
}

/** Empty values, flags and small numbers are no secret at all; anything else left unmasked is worth a word. */
function looksLikeRealValue(value: string): boolean {
  const v = value.trim();
  return v !== '' && !FLAG_VALUES.has(v.toLowerCase()) && !(/^\d+$/.test(v) && v.length < MIN_MASKED_LENGTH);
}

export interface EnvironmentSecrets {
  /** Values to mask. */
  secrets: string[];
  /** Variables whose value looks secret but is too short or too plain to mask. */
  unmasked: string[];
}

/** Secrets that an environment holds: by variable name, and passwords inside URLs of any variable. */
export function environmentSecrets(env: Record<string, string>): EnvironmentSecrets {
  const secrets = new Set<string>();
  const unmasked: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const candidates = isSecretName(name) ? [value] : [];
    candidates.push(...passwordsInUrls(value));
    for (const c of candidates) {
      if (isMaskable(c)) secrets.add(c);
      else if (looksLikeRealValue(c) && !unmasked.includes(name)) unmasked.push(name);
    }
  }
  return { secrets: [...secrets], unmasked };
}

/**
 * `ENV NAME=value` (or `ENV NAME value`) as a builder echoes a Dockerfile while compose builds an
 * image: the image does not exist yet, so its ENV can only be learned from the line being printed.
 */
export function envInBuildLine(line: string): Record<string, string> {
  const m = /\bENV\s+(.*)$/.exec(line);
  if (!m) return {};
  const rest = m[1].trim();
  const env: Record<string, string> = {};
  const unquote = (v: string) => v.replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest)) {
    for (const a of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)) env[a[1]] = unquote(a[2]);
  } else {
    const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/.exec(rest);
    if (legacy) env[legacy[1]] = unquote(legacy[2].trim());
  }
  return env;
}

/** A secret as it may appear: raw, or URL-encoded inside a connection string. */
export function secretForms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret)])].filter(isMaskable);
}

/** The text with every form of every secret replaced, for the summary and log lines. */
export function hideSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets.flatMap(secretForms).sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}

/** Secret files larger than this are not read for masking (a key or certificate is far smaller). */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * The values of compose's own top-level secrets: whatever their name, compose treats them as secret.
 * `readFile` gives a file's text (undefined if unreadable or too large); `env` is the environment
 * compose interpolates with (the job's, .env's, env files').
 */
export function composeSecretValues(sources: SecretSource[], readFile: (file: string) => string | undefined, env: Record<string, string | undefined>): EnvironmentSecrets {
  const secrets = new Set<string>();
  const unmasked: string[] = [];
  for (const s of sources) {
    const value = s.content ?? (s.environment !== undefined ? env[s.environment] : s.file !== undefined ? readFile(s.file) : undefined);
    if (value === undefined || value.trim() === '') continue;
    // A file usually ends in a newline that its readers strip: both forms are masked.
    for (const form of new Set([value, value.trim()])) {
      if (isMaskable(form)) secrets.add(form);
      else if (!unmasked.includes(`secret ${s.name}`)) unmasked.push(`secret ${s.name}`);
    }
  }
  return { secrets: [...secrets], unmasked };
}
