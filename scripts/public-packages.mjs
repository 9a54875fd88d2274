// The published packages, in dependency order.
export const PUBLIC_PACKAGES = ['core', 'models', 'layers', 'analysis', 'bench'];
