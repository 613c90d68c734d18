import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import 'dayjs/locale/nl';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { en } from './locales/en.ts';
import { nl } from './locales/nl.ts';

export type LanguageCode = 'en' | 'nl';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
  }
}

dayjs.extend(relativeTime);

const stored = localStorage.getItem('baton.language');
const initial: LanguageCode =
  stored === 'nl' || stored === 'en' ? stored : navigator.language.startsWith('nl') ? 'nl' : 'en';

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, nl: { translation: nl } },
  lng: initial,
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** Switches the language of the whole app: texts, dates, the table and picker texts, `<html lang>`. */
export function applyLanguage(language: LanguageCode): void {
  localStorage.setItem('baton.language', language);
  document.documentElement.lang = language;
  dayjs.locale(language);
  void i18n.changeLanguage(language);
}
applyLanguage(initial);

export default i18n;
