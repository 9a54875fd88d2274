import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's `chromium` package ships SwiftShader's Vulkan driver here. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Prepares the process environment for Dawn (the `webgpu` package) before any adapter is
 * requested: points the Vulkan loader at SwiftShader when no driver was chosen and Debian's
 * Chromium provides one, and gives Dawn a runtime dir so it does not warn on every start.
 * Must run in the process that creates the GPU instance (or in its parent before forking):
 * the Vulkan loader reads these variables from the real process environment.
 */
export function prepareWebGpuEnvironment(): void {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `octconv-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
}

/**
 * Vitest `globalSetup` entry: runs in the main process before the test workers are forked, so
 * they inherit the Vulkan/Dawn environment (vitest's `test.env` does not reach the loader).
 */
export function setup(): void {
  prepareWebGpuEnvironment();
}
