/**
 * JSON.parse for files a person edits: a failure says at which line and column, and why, in
 * words. V8's own messages quote the text around the fault (in the directory file, that text
 * may be a password) and do not always give a position, so the fault is located by
 * jsonc-parser's scanner instead, in strict JSON mode.
 */
import * as E from 'fp-ts/lib/Either.js';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';

export interface JsonSyntaxError {
  /** 1-based line and column (in characters) of the first character that is not valid JSON. */
  readonly line: number;
  readonly column: number;
  /** What is wrong there, in words; never a quote of the text. */
  readonly reason: string;
}

const REASONS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'a field name in double quotes was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: "a ':' was expected",
  CommaExpected: "a ',' was expected",
  CloseBraceExpected: "a ',' or '}' was expected",
  CloseBracketExpected: "a ',' or ']' was expected",
  EndOfFileExpected: 'unexpected text after the end',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'invalid number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'a control character inside a string',
};

/** 1-based line and column of an offset; the column counts characters (code points). */
export const lineAndColumn = (text: string, offset: number): { line: number; column: number } => {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
};

/** The first fault in text that JSON.parse refused. */
const locateFault = (text: string): JsonSyntaxError => {
  const errors: ParseError[] = [];
  parse(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  const first = errors[0];
  if (first === undefined) return { ...lineAndColumn(text, text.length), reason: 'not valid JSON' };
  const atEnd = first.offset >= text.length;
  const reason = atEnd
    ? 'the file ends too early'
    : (REASONS[printParseErrorCode(first.error)] ?? 'not valid JSON');
  return { ...lineAndColumn(text, first.offset), reason };
};

/** A leading byte order mark is not JSON, but some editors write one; it is not shown either. */
const withoutBom = (text: string): string => (text.startsWith('\uFEFF') ? text.slice(1) : text);

export const parseJsonText = (input: string): E.Either<JsonSyntaxError, unknown> => {
  const text = withoutBom(input);
  return E.tryCatch(
    () => JSON.parse(text) as unknown,
    () => locateFault(text),
  );
};
