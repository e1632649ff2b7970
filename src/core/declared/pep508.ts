/**
 * PEP 508 dependency specifiers (`name[extra] >=1.0 ; python_version < "3.11"`) and environment
 * markers. No npm package parses these well (the PEP 440 side is @renovatebot/pep440, used here
 * for every version comparison), so this is a small recursive-descent parser over the grammar of
 * the dependency specifiers spec, and nothing more.
 */
import { normalizeProjectName } from '../packages/distributions';
import { eq, ge, le, ne, satisfies as pep440Satisfies, valid as pep440Valid, validRange } from '@renovatebot/pep440';

/** PEP 503 normalised project name (the one definition, in ../packages). */
export const normalizeName = normalizeProjectName;

export type MarkerNode =
  | { readonly op: 'and' | 'or'; readonly left: MarkerNode; readonly right: MarkerNode }
  | { readonly op: 'compare'; readonly left: MarkerValue; readonly cmp: string; readonly right: MarkerValue };

export type MarkerValue = { readonly variable: string } | { readonly literal: string };

export interface Requirement {
  /** As written. */
  readonly name: string;
  /** normalizeName(name). */
  readonly key: string;
  readonly extras: readonly string[];
  /** Comma-separated PEP 440 specifiers ('' when any version does), e.g. '>=1.0,<2'. */
  readonly specifier: string;
  /** A direct reference (`name @ URL`). */
  readonly url?: string;
  readonly marker?: MarkerNode;
  /** The text it was parsed from. */
  readonly text: string;
}

export class Pep508Error extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'Pep508Error';
  }
}

const MARKER_VARIABLES = new Set([
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system',
  'platform_version', 'platform_machine', 'platform_python_implementation', 'implementation_name',
  'implementation_version', 'extra', 'extras', 'dependency_groups',
  // Legacy spellings some old metadata still carries.
  'os.name', 'sys.platform', 'platform.version', 'platform.machine', 'platform.python_implementation', 'python_implementation',
]);
const LEGACY: Record<string, string> = {
  'os.name': 'os_name', 'sys.platform': 'sys_platform', 'platform.version': 'platform_version',
  'platform.machine': 'platform_machine', 'platform.python_implementation': 'platform_python_implementation', python_implementation: 'platform_python_implementation',
};

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }
  match(re: RegExp): string | undefined {
    this.skipWs();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m || m.index !== this.pos) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
  expect(re: RegExp, what: string): string {
    const got = this.match(re);
    if (got === undefined) this.fail(`expected ${what}`);
    return got;
  }
  atEnd(): boolean {
    this.skipWs();
    return this.pos >= this.text.length;
  }
  fail(message: string): never {
    const near = this.text.slice(this.pos, this.pos + 20);
    throw new Pep508Error(`${message} at position ${this.pos + 1}${near ? ` (near '${near}')` : ''}`, this.pos);
  }
}

const NAME = /[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/y;
const SPEC_OP = /(?:===|~=|==|!=|<=|>=|<|>)/y;
const SPEC_VERSION = /[A-Za-z0-9_.*+!-]+/y;

function parseSpecifierList(s: Scanner): string {
  const parts: string[] = [];
  for (;;) {
    const op = s.match(SPEC_OP);
    if (op === undefined) {
      if (parts.length === 0) return '';
      s.fail('expected a version comparison (==, >=, ~=, ...)');
    }
    const version = s.expect(SPEC_VERSION, `a version after '${op}'`);
    parts.push(`${op}${version}`);
    if (s.match(/,/y) === undefined) break;
  }
  const spec = parts.join(',');
  if (!parts.every(clauseIsValid) && !validRange(spec)) throw new Pep508Error(`'${spec}' is not a valid PEP 440 version specifier`, s.pos);
  return spec;
}

/**
 * The common clauses, checked without @renovatebot/pep440's specifier regex (about 0.1 ms a call,
 * too slow for 300 of them in a drift check): an operator and a valid version, `==`/`!=` with a
 * `.*` prefix, `~=` with at least two release numbers. Anything else is left to validRange.
 */
function clauseIsValid(clause: string): boolean {
  const m = /^(===|~=|==|!=|<=|>=|<|>)(.+)$/.exec(clause);
  if (!m || m[1] === '===') return false;
  const [, op, version] = m;
  if (version.endsWith('.*')) return (op === '==' || op === '!=') && /^(\d+!)?\d+(\.\d+)*\.\*$/.test(version);
  if (pep440Valid(version) === null) return false;
  if (op === '~=') return /^(\d+!)?\d+\.\d+/.test(version) && !version.includes('+');
  return op === '==' || op === '!=' || !version.includes('+');
}

const parsedRequirements = new Map<string, Requirement>();

/**
 * Parses one dependency specifier; throws Pep508Error naming the position. Results are kept (the
 * same Requires-Dist lines are read again at each drift check), up to a bound.
 */
export function parseRequirement(text: string): Requirement {
  const known = parsedRequirements.get(text);
  if (known) return known;
  const parsed = parseRequirementText(text);
  if (parsedRequirements.size >= 20_000) parsedRequirements.clear();
  parsedRequirements.set(text, parsed);
  return parsed;
}

function parseRequirementText(text: string): Requirement {
  const s = new Scanner(text);
  const name = s.expect(NAME, 'a project name');
  let extras: string[] = [];
  if (s.match(/\[/y) !== undefined) {
    extras = [];
    if (s.match(/\]/y) === undefined) {
      do extras.push(normalizeName(s.expect(NAME, 'an extra name'))); while (s.match(/,/y) !== undefined);
      s.expect(/\]/y, "']'");
    }
  }
  let specifier = '';
  let url: string | undefined;
  if (s.match(/@/y) !== undefined) {
    url = s.expect(/[^\s;]+/y, 'a URL after @');
    if (!s.atEnd() && s.text[s.pos] === ';' && !/\s/.test(s.text[s.pos - 1] ?? '')) s.fail('a URL must be followed by a space before ;');
  } else if (s.match(/\(/y) !== undefined) {
    specifier = parseSpecifierList(s);
    s.expect(/\)/y, "')'");
  } else {
    specifier = parseSpecifierList(s);
  }
  let marker: MarkerNode | undefined;
  if (s.match(/;/y) !== undefined) marker = parseMarkerFrom(s);
  if (!s.atEnd()) s.fail('unexpected text');
  return { name, key: normalizeName(name), extras, specifier, ...(url !== undefined ? { url } : {}), ...(marker ? { marker } : {}), text: text.trim() };
}

/** Parses a marker expression alone (pylock's `marker`, `environments`). */
export function parseMarker(text: string): MarkerNode {
  const s = new Scanner(text);
  const node = parseMarkerFrom(s);
  if (!s.atEnd()) s.fail('unexpected text in marker');
  return node;
}

function parseMarkerFrom(s: Scanner): MarkerNode {
  const parseOr = (): MarkerNode => {
    let left = parseAnd();
    while (s.match(/or\b/y) !== undefined) left = { op: 'or', left, right: parseAnd() };
    return left;
  };
  const parseAnd = (): MarkerNode => {
    let left = parseAtom();
    while (s.match(/and\b/y) !== undefined) left = { op: 'and', left, right: parseAtom() };
    return left;
  };
  const parseValue = (): MarkerValue => {
    const quoted = s.match(/'[^']*'|"[^"]*"/y);
    if (quoted !== undefined) return { literal: quoted.slice(1, -1) };
    const variable = s.match(/[a-z_]+(?:\.[a-z_]+)?/y);
    if (variable === undefined || !MARKER_VARIABLES.has(variable)) s.fail(variable ? `unknown marker variable '${variable}'` : 'expected a marker variable or a quoted string');
    return { variable: LEGACY[variable] ?? variable };
  };
  const parseAtom = (): MarkerNode => {
    if (s.match(/\(/y) !== undefined) {
      const inner = parseOr();
      s.expect(/\)/y, "')'");
      return inner;
    }
    const left = parseValue();
    const cmp = s.match(/not\s+in\b|in\b|===|~=|==|!=|<=|>=|<|>/y);
    if (cmp === undefined) s.fail('expected a marker operator (==, <, in, ...)');
    return { op: 'compare', left, cmp: cmp.replace(/\s+/g, ' '), right: parseValue() };
  };
  return parseOr();
}

/** Values of the marker variables; `extras` and `dependency_groups` (and `extra`) are sets. */
export type MarkerEnvironment = Readonly<Record<string, string | ReadonlySet<string>>>;

const VERSION_VARIABLES = new Set(['python_version', 'python_full_version', 'implementation_version', 'platform_release']);

function compareValues(left: string | ReadonlySet<string>, cmp: string, right: string | ReadonlySet<string>, versionish: boolean): boolean {
  if (typeof left !== 'string' || typeof right !== 'string') {
    // Set semantics (PEP 751 'extras' / 'dependency_groups', and 'extra' of an install with several extras).
    const set = typeof left === 'string' ? (right as ReadonlySet<string>) : left;
    const item = normalizeName(typeof left === 'string' ? left : (right as string));
    switch (cmp) {
      case 'in': case '==': return set.has(item);
      case 'not in': case '!=': return !set.has(item);
      default: return false;
    }
  }
  if (cmp === 'in') return right.includes(left);
  if (cmp === 'not in') return !right.includes(left);
  if (versionish && cmp !== '===' && pep440Valid(left) && clauseIsValid(`${cmp}${right}`)) {
    return versionSatisfies(left, `${cmp}${right}`);
  }
  switch (cmp) {
    case '==': case '===': return left === right;
    case '!=': return left !== right;
    default: return false;
  }
}

/** Evaluates a marker; an `extra` or set variable missing from `env` counts as the empty set. */
export function evaluateMarker(node: MarkerNode, env: MarkerEnvironment): boolean {
  if (node.op !== 'compare') return node.op === 'and' ? evaluateMarker(node.left, env) && evaluateMarker(node.right, env) : evaluateMarker(node.left, env) || evaluateMarker(node.right, env);
  const valueOf = (v: MarkerValue): string | ReadonlySet<string> => {
    if ('literal' in v) return v.literal;
    const value = env[v.variable];
    if (value !== undefined) return value;
    return v.variable === 'extra' || v.variable === 'extras' || v.variable === 'dependency_groups' ? new Set<string>() : '';
  };
  const versionish = ('variable' in node.left && VERSION_VARIABLES.has(node.left.variable)) || ('variable' in node.right && VERSION_VARIABLES.has(node.right.variable));
  return compareValues(valueOf(node.left), node.cmp, valueOf(node.right), versionish);
}

const FAST_OPERATORS: Record<string, (a: string, b: string) => boolean> = { '==': eq, '!=': ne, '>=': ge, '<=': le };

/**
 * True when `version` (an installed one: pre-releases allowed) satisfies `specifier` ('' = any).
 * `==`, `!=`, `>=`, `<=` against a plain public version compare the two versions directly (what
 * the library does after its slow specifier parse; a local label of `version` is ignored, as PEP
 * 440 says); every other clause goes through @renovatebot/pep440's satisfies.
 */
export function versionSatisfies(version: string, specifier: string): boolean {
  if (!specifier) return true;
  // Drift checks ask the same questions again at every refresh: answers are kept, up to a bound.
  const key = `${version}\u0000${specifier}`;
  const known = satisfiesAnswers.get(key);
  if (known !== undefined) return known;
  const answer = versionSatisfiesUncached(version, specifier);
  if (satisfiesAnswers.size >= 20_000) satisfiesAnswers.clear();
  satisfiesAnswers.set(key, answer);
  return answer;
}

const satisfiesAnswers = new Map<string, boolean>();

function versionSatisfiesUncached(version: string, specifier: string): boolean {
  for (const clause of specifier.split(',')) {
    const m = /^\s*(==|!=|>=|<=)\s*([^*+\s]+)\s*$/.exec(clause);
    const fast = m && pep440Valid(version) !== null && pep440Valid(m[2]) !== null ? FAST_OPERATORS[m[1]] : undefined;
    const ok = fast ? fast(version.split('+')[0], m![2]) : pep440Satisfies(version, clause.trim(), { prereleases: true });
    if (!ok) return false;
  }
  return true;
}
