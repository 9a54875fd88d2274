/** The built site. */
export declare const DIST: string;

/** Starts a static server for `root` with the production headers; port 0 picks a free one. */
export declare function serve(
  root?: string,
  port?: number,
): Promise<{ url: string; close: () => Promise<void> }>;
