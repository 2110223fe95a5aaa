// English and Simplified Chinese. Every visible string goes through t(); the
// language is chosen once (browser language, then the switch) and remembered.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey } from './en.ts';
import { zh } from './zh.ts';

export type Lang = 'en' | 'zh';
export const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { en, zh };
const KEY = 'branchedge.lang';

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = DICTIONARIES[lang][key] ?? en[key] ?? key;
  return vars
    ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m))
    : text;
}

function initialLang(): Lang {
  const stored = localStorage.getItem(KEY);
  if (stored === 'en' || stored === 'zh') return stored;
  const fromQuery = new URLSearchParams(window.location.search).get('lang');
  if (fromQuery === 'en' || fromQuery === 'zh') return fromQuery;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const Context = createContext<I18n>({
  lang: 'en',
  setLang: () => undefined,
  t: (k, v) => translate('en', k, v),
});

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (k, v) => translate(lang, k, v) }), [lang, setLang]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  return useContext(Context);
}

/** Shows the other language in its own script, so a person who reads only that one can find it. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const other: Lang = lang === 'en' ? 'zh' : 'en';
  return (
    <button type="button" className="lang-switch secondary" onClick={() => setLang(other)}>
      <span lang={other === 'zh' ? 'zh-CN' : 'en'}>{other === 'zh' ? '中文' : 'English'}</span>
      <span className="visually-hidden"> — {t('lang.switchLabel')}</span>
    </button>
  );
}
