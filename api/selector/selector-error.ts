// A selector string that cannot be parsed or names a field the kind does not index.

export type SelectorErrorCode = 'InvalidLabelSelector' | 'InvalidFieldSelector' | 'UnsupportedFieldLabel';

export class SelectorError extends Error {
  constructor(
    readonly code: SelectorErrorCode,
    message: string,
    /** The selector text as given. */
    readonly selector: string,
  ) {
    super(message);
    this.name = 'SelectorError';
  }
}

export type Parsed<T> = { readonly ok: true; readonly selector: T } | { readonly ok: false; readonly error: SelectorError };
