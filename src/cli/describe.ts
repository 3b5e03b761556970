/** `langseg describe`: descriptor files from an OpenAI-compatible chat endpoint (see src/descriptors/llm.ts). */
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { builtinDescriptors, BUILTIN_DESCRIPTOR_SETS, type BuiltinDescriptorSetName } from '../descriptors/builtin.js';
import { parseDescriptorFile } from '../descriptors/descriptor-file.js';
import { describeClasses } from '../descriptors/llm.js';
import { fileExists, writeDescriptorFile } from '../descriptors/node/descriptor-file-io.js';
import { FileDescriptorCache } from '../descriptors/node/file-cache.js';
import { DescriptorError } from '../errors.js';
import { intOption, numberOption, UsageError, type Command } from './command.js';

/** ~/.cache/langseg/descriptors, or under $XDG_CACHE_HOME when that is set. */
export function defaultDescriptorCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'langseg', 'descriptors');
}

interface ClassList {
  classes: string[];
  dataset?: string;
}

/** The names in a classes file: a descriptor file, a JSON array of names, or one name per line (# comments). */
function classesFromText(path: string, text: string): ClassList {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const file = parseDescriptorFile(trimmed);
      return { classes: file.classes, dataset: file.dataset };
    } catch (e) {
      throw e instanceof DescriptorError ? new DescriptorError(`${path}: ${e.message}`) : e;
    }
  }
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      throw new UsageError(`--classes ${path}: not valid JSON (${(e as Error).message}); give a JSON array of names, a descriptor file or one name per line`);
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new UsageError(`--classes ${path}: the JSON array must hold class names (strings) only`);
    return { classes: value.map((v: string) => v.trim()).filter((v) => v !== '') };
  }
  return { classes: text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')) };
}

/** --classes: `builtin:<set>`, a file (see classesFromText), or a comma-separated list. */
export async function resolveClasses(arg: string): Promise<ClassList> {
  let list: ClassList;
  if (arg.startsWith('builtin:')) {
    const name = arg.slice('builtin:'.length) as BuiltinDescriptorSetName;
    if (!BUILTIN_DESCRIPTOR_SETS.includes(name)) throw new UsageError(`--classes ${arg}: the built-in sets are ${BUILTIN_DESCRIPTOR_SETS.map((n) => `builtin:${n}`).join(', ')}`);
    list = { classes: builtinDescriptors(name).classes, dataset: name };
  } else if (await fileExists(arg)) {
    list = classesFromText(arg, await readFile(arg, 'utf8'));
  } else if (!arg.includes(',') && /[/\\]|\.(json|txt)$/i.test(arg)) {
    throw new UsageError(`--classes ${arg}: no such file; give a file, a comma-separated list of class names, or builtin:ade20k`);
  } else {
    list = { classes: arg.split(',').map((n) => n.trim()).filter((n) => n !== '') };
  }
  if (list.classes.length === 0) throw new UsageError(`--classes ${arg}: no class names found`);
  const repeated = list.classes.find((n, i) => list.classes.indexOf(n) !== i);
  if (repeated !== undefined) throw new UsageError(`--classes: class ${JSON.stringify(repeated)} is listed twice; list each class once`);
  return list;
}

function requiredString(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** The key from the environment variable --api-key-env names; the key itself never goes on the command line. */
function apiKeyFrom(values: Record<string, unknown>): string | undefined {
  const variable = values['api-key-env'];
  if (variable === undefined) return undefined;
  if (typeof variable !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) throw new UsageError(`--api-key-env takes the name of an environment variable, got '${String(variable)}'`);
  const key = process.env[variable];
  if (!key) throw new UsageError(`--api-key-env ${variable}: the environment variable ${variable} is not set or empty; export it first`);
  return key;
}

export const describeCommand: Command = {
  name: 'describe',
  summary: 'write a descriptor file by asking an OpenAI-compatible chat endpoint',
  help: `usage: langseg describe --classes <file|list> --endpoint <url> --model <name> -o out.json [options]

Asks an OpenAI-compatible chat endpoint (llama.cpp server, Ollama, vLLM, a hosted API) for visual
subclass descriptors of each class, one request per class, checks the answers and writes a descriptor
file (docs/DESCRIPTORS.md). Answers are cached, so a run that stops part way resumes when run again.

  --classes <file|list>   a descriptor file, a JSON array of names, a text file with one name per line,
                          a comma-separated list ("wall,floor,person"), or builtin:ade20k / builtin:cocostuff
  --endpoint <url>        the server, e.g. http://127.0.0.1:8080 (llama.cpp), http://127.0.0.1:11434 (Ollama)
                          or https://api.openai.com/v1; /v1/chat/completions is appended as needed
  --model <name>          the model the server should use
  --api-key-env <VAR>     send the key in environment variable VAR as a Bearer token (none by default)
  --per-class <N>         descriptors to ask for per class, 1..16 (default 6)
  --retries <N>           further attempts after a failed request or a bad answer (default 3)
  --timeout <seconds>     longest wait for one answer (default 60)
  --cache <dir>           the answer cache (default ~/.cache/langseg/descriptors)
  --no-cache              neither read nor write the cache
  --dataset <name>        record the dataset the classes belong to in the file
  --force                 replace the output file if it exists
  -o, --output <file>     the descriptor file to write (required)`,
  options: {
    classes: { type: 'string' },
    endpoint: { type: 'string' },
    model: { type: 'string' },
    'api-key-env': { type: 'string' },
    'per-class': { type: 'string' },
    retries: { type: 'string' },
    timeout: { type: 'string' },
    cache: { type: 'string' },
    'no-cache': { type: 'boolean' },
    dataset: { type: 'string' },
    force: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
  },
  needsDevice: false,
  async run({ values, log }) {
    const output = requiredString(values, 'output');
    const classesArg = requiredString(values, 'classes');
    const endpoint = requiredString(values, 'endpoint');
    const model = requiredString(values, 'model');
    const force = values.force === true;
    // Fail before any request: an existing file is kept unless --force.
    if (!force && (await fileExists(output))) throw new DescriptorError(`${output} already exists; choose another output file or pass --force to replace it`);
    const { classes, dataset: classesDataset } = await resolveClasses(classesArg);
    const dataset = typeof values.dataset === 'string' ? values.dataset : classesDataset;
    const useCache = values['no-cache'] !== true;
    const cacheDir = typeof values.cache === 'string' ? values.cache : defaultDescriptorCacheDir();

    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    let done = 0;
    log(`describe: ${classes.length} classes from ${model} at ${endpoint}${useCache ? ` (cache ${cacheDir})` : ''}`);
    try {
      const set = await describeClasses(classes, {
        endpoint,
        model,
        apiKey: apiKeyFrom(values),
        perClass: intOption(values, 'per-class', 6, 1, 16),
        retries: intOption(values, 'retries', 3, 0, 20),
        timeoutMs: numberOption(values, 'timeout', 60, 0, 3600) * 1000,
        cache: useCache ? new FileDescriptorCache(cacheDir) : undefined,
        log,
        signal: controller.signal,
        onClass: () => done++,
      });
      await mkdir(dirname(output), { recursive: true });
      await writeDescriptorFile(output, set, { dataset, source: set.source }, { force });
      log(`wrote ${output}: ${set.classes.length} classes, ${set.descriptors.flat().length} descriptors (${set.source})`);
      return 0;
    } catch (e) {
      if (!(e instanceof DescriptorError)) throw e;
      // main prefixes "langseg describe: "; the library's own "describe: " would say it twice.
      const message = e.message.replace(/^describe: /, '');
      const resume = done > 0 && useCache ? `\n${done} of ${classes.length} classes are answered and cached; run the same command again to resume` : '';
      const error = new DescriptorError(message + resume);
      error.cause = e;
      throw error;
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
  },
};
