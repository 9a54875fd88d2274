// The Turkish locale (/tr/): the learner's pages in the language of the seed notebook. The rest
// of the site (the live tools, the API reference, the other guide pages) is linked in English.
import type { DefaultTheme, LocaleSpecificConfig } from 'vitepress';
import { section } from './sidebar.mts';

const guide = section('Rehber', [
  ['OctConv nedir?', '/tr/guide/'],
  ['Dört yol', '/tr/guide/four-paths'],
  ['Seed notebook', '/tr/guide/notebook'],
  ['Hızlı başlangıç', '/tr/guide/quick-start'],
]);

const inEnglish = section('İngilizce sayfalar', [
  ['Semantics', '/guide/semantics'],
  ['Backends', '/guide/backends'],
  ['Design', '/guide/design'],
  ['Playground', '/playground'],
  ['Calculator', '/calculator'],
  ['Benchmark', '/benchmark'],
  ['API reference', '/api/'],
]);

export const turkish: LocaleSpecificConfig<DefaultTheme.Config> & { label: string; link: string } =
  {
    label: 'Türkçe',
    lang: 'tr',
    link: '/tr/',
    description:
      'TensorFlow.js için Octave Convolution: rehber, API başvurusu ve tarayıcıda çalışan araçlar.',
    themeConfig: {
      nav: [
        { text: 'Rehber', link: '/tr/guide/' },
        { text: 'Seed notebook', link: '/tr/guide/notebook' },
        { text: 'API', link: '/api/' },
        { text: 'Playground', link: '/playground' },
      ],
      sidebar: { '/tr/': [guide, inEnglish] },
      outline: { level: 'deep', label: 'Bu sayfada' },
      docFooter: { prev: 'Önceki sayfa', next: 'Sonraki sayfa' },
      darkModeSwitchLabel: 'Görünüm',
      lightModeSwitchTitle: 'Açık temaya geç',
      darkModeSwitchTitle: 'Koyu temaya geç',
      sidebarMenuLabel: 'Menü',
      returnToTopLabel: 'Başa dön',
      langMenuLabel: 'Dil',
      notFound: {
        title: 'SAYFA BULUNAMADI',
        quote: 'Aradığınız sayfa burada yok.',
        linkText: 'Ana sayfaya dön',
      },
    },
  };

/** The local search box's words, in Turkish. */
export const turkishSearch: Partial<Omit<DefaultTheme.LocalSearchOptions, 'locales'>> = {
  translations: {
    button: { buttonText: 'Ara', buttonAriaLabel: 'Ara' },
    modal: {
      displayDetails: 'Ayrıntıları göster',
      resetButtonTitle: 'Aramayı temizle',
      backButtonTitle: 'Aramayı kapat',
      noResultsText: 'Sonuç yok:',
      footer: {
        selectText: 'seç',
        navigateText: 'gezin',
        closeText: 'kapat',
      },
    },
  },
};
