// The published packages, in dependency order.
export const PUBLIC_PACKAGES = ['checkpoint', 'core', 'models', 'layers', 'analysis', 'bench'];
