import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { type AsyncComponentLoader, defineAsyncComponent } from 'vue';
import './custom.css';
import './phone.css';
import './a11y.css';

// The live tools load tfjs and Chart.js: each is its own chunk, fetched only by its page, and
// rendered only in the browser (the pages wrap them in <ClientOnly>).
const tools: Record<string, AsyncComponentLoader> = {
  OctPlayground: () => import('../../components/OctPlayground.vue'),
  OctCalculator: () => import('../../components/OctCalculator.vue'),
  OctBenchmark: () => import('../../components/OctBenchmark.vue'),
  OctTraining: () => import('../../components/OctTraining.vue'),
  OctPretrained: () => import('../../components/OctPretrained.vue'),
  OctNotebookCell: () => import('../../components/OctNotebookCell.vue'),
};

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    for (const [name, load] of Object.entries(tools))
      app.component(name, defineAsyncComponent(load));
  },
} satisfies Theme;
