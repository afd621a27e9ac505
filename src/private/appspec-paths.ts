import type * as YamlModule from 'yaml';

/**
 * The scripts and file sources an appspec.yml names, read leniently (also from a file with other
 * problems), so that a missing file is reported together with them. Undefined when it is not YAML.
 */
export function referencedPaths(content: string): { scripts: { event: string; location: string }[]; sources: string[] } | undefined {
  let doc: any;
  try {
    // Loaded on first use, like the AppSpec parser (most apps never read an appspec.yml).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    doc = (require('yaml') as typeof YamlModule).parse(content.replace(/^\uFEFF/, ''), { uniqueKeys: false });
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object') {
    return undefined;
  }
  const scripts: { event: string; location: string }[] = [];
  if (doc.hooks && typeof doc.hooks === 'object') {
    for (const [event, list] of Object.entries(doc.hooks)) {
      for (const item of Array.isArray(list) ? list : []) {
        if (item && typeof item === 'object' && typeof (item as any).location === 'string') {
          scripts.push({ event, location: (item as any).location });
        }
      }
    }
  }
  const sources = (Array.isArray(doc.files) ? doc.files : [])
    .map((f: any) => f?.source)
    .filter((src: unknown): src is string => typeof src === 'string');
  return { scripts, sources };
}
