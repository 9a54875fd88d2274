import type { BuildOptions } from 'esbuild';
import type { Browser, Page } from 'playwright-core';

/** Where Chromium is (`OCTCONV_CHROMIUM`, default Debian's `/usr/bin/chromium`). */
export declare const CHROMIUM: string;
export declare const HAS_CHROMIUM: boolean;
/** Set by .ci/run: a missing Chromium fails instead of skipping. */
export declare const REQUIRE_BROWSER: boolean;
/** The headers that make a page cross-origin isolated (SharedArrayBuffer, wasm threads). */
export declare const ISOLATION_HEADERS: Record<string, string>;
/** A page that runs the module /page.js and nothing else. */
export declare const PAGE_HTML: string;

/** Prints the loud warning of a suite that skips because there is no Chromium; true if it does. */
export declare function warnIfNoChromium(what: string): boolean;

/** Bundles `entries` (name → TypeScript or JavaScript file) for the browser, in memory. */
export declare function bundle<Name extends string>(
  entries: Record<Name, string>,
  options?: BuildOptions,
): Promise<Record<Name, Uint8Array>>;

/**
 * Serves on 127.0.0.1 (a free port): `files` (path → contents; `/` defaults to `PAGE_HTML`) and,
 * for each prefix of `folders` (such as `/wasm/`), the plain file names of that folder. Every
 * answer is cross-origin isolated, except under `/plain/`, which serves the same paths without
 * the isolation headers.
 */
export declare function serve(options?: {
  files?: Record<string, string | Uint8Array>;
  folders?: Record<string, string>;
}): Promise<{ origin: string; close: () => Promise<void> }>;

/**
 * Debian's Chromium, headless. `webgl: 'swiftshader'` renders WebGL in software (ANGLE on
 * SwiftShader); `webgpu` turns on WebGPU (SwiftShader's Vulkan where there is no GPU).
 */
export declare function launchChromium(options?: {
  webgl?: 'swiftshader';
  webgpu?: boolean;
}): Promise<Browser>;

/**
 * Opens `url` in a new page of `browser` and waits until it sets `document.body.dataset.ready`
 * to `'yes'`. `cores`: what `navigator.hardwareConcurrency` says on the page. Console errors and
 * page errors land in `problems`.
 */
export declare function openPage(
  browser: Browser,
  url: string,
  options?: { cores?: number; timeout?: number },
): Promise<{ page: Page; problems: string[] }>;
