import { UserInputError } from './errors.js';

/**
 * Text files a user hands in (study files, CSVs) are checked to be text before they are parsed, so a
 * binary file (or one in another encoding) gets one short message naming it as such instead of a
 * parser error quoting hundreds of raw bytes.
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Why the bytes are not UTF-8 text (a NUL byte, or an invalid sequence near an offset), or undefined. */
export function binaryContentReason(content: Uint8Array): string | undefined {
  const nul = content.indexOf(0);
  if (nul >= 0) return `it holds a NUL byte at byte ${nul}`;
  try {
    strictUtf8.decode(content);
  } catch {
    return 'it is not UTF-8 text';
  }
  return undefined;
}

export interface TextInputOptions {
  file: string;
  /** What the file should be, for the message: "a study file", "a CSV file". */
  kind: string;
  path?: string | undefined;
  maxBytes: number;
  fix: string;
}

/** Decodes a user's text file, refusing binary content and files over the size limit (exit code 2). */
export function decodeTextInput(content: Uint8Array, options: TextInputOptions): string {
  if (content.byteLength > options.maxBytes) {
    throw new UserInputError(`is larger than the ${formatBytes(options.maxBytes)} allowed for ${options.kind}`, {
      file: options.file,
      path: options.path,
      fix: options.fix,
    });
  }
  const reason = binaryContentReason(content);
  if (reason !== undefined) {
    throw new UserInputError(`is a binary file, not ${options.kind} (${reason})`, {
      file: options.file,
      path: options.path,
      fix: options.fix,
    });
  }
  return Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${bytes} bytes`;
}
