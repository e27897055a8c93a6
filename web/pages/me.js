// My account, for every role: the user's own language and time zone (empty: the company's),
// the password, and the other places the user is logged in (GET/DELETE /me/sessions, when this
// faxd has them).
import { api, ApiError } from '../lib/api.js';
import { el, field, showError, confirmButton } from '../lib/dom.js';
import { t, formatTime } from '../lib/i18n.js';
import { errorText } from '../lib/errors.js';
import { languageField, timeZoneField } from '../lib/pickers.js';

function settingsForm(me) {
  const company = me.company || {};
  const fLang = field(languageField({ name: 'language', value: me.language ?? '', uiOnly: true,
    none: company.language ? t('account.as_company_named', { value: company.language }) : t('account.as_browser'),
    hint: t('hint.my_language') }));
  const fZone = field(timeZoneField({ name: 'timezone', value: me.timezone ?? '',
    none: company.timezone ? t('account.as_company_named', { value: company.timezone }) : t('account.as_browser'),
    hint: t('hint.my_timezone') }));
  const general = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'card form', id: 'settings-form', 'aria-label': t('account.settings'), novalidate: true },
    el('h2', {}, t('account.settings')), fLang.wrap, fZone.wrap, general,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, t('form.save'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.patch(`/users/${me.id}`, { language: fLang.input.value || null, timezone: fZone.input.value || null });
      sessionStorage.setItem('faxd.flash', 'account.saved');
      window.dispatchEvent(new Event('faxd:settings'));
    } catch (e) { showError(form, general, e instanceof ApiError ? e : null); }
  });
  return form;
}

// The list of sessions is drawn again after a change: the other sessions ended.
function passwordForm(sessions) {
  const fOld = field({ name: 'current_password', label: t('account.current_password'), type: 'password', required: true,
    attrs: { autocomplete: 'current-password' }, problem: t('problem.current_password') });
  const fNew = field({ name: 'new_password', label: t('account.new_password'), type: 'password', required: true,
    hint: t('hint.password'), problem: t('problem.password'), attrs: { autocomplete: 'new-password' } });
  const general = el('p', { class: 'error', role: 'alert' });
  const done = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const form = el('form', { class: 'card form', id: 'password-form', 'aria-label': t('account.password'), novalidate: true },
    el('h2', {}, t('account.password')), fOld.wrap, fNew.wrap, general, done,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, t('account.change_password'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    done.textContent = '';
    if (fNew.input.value.length < 12) { showError(form, general, { field: 'new_password', key: 'problem.password' }); return; }
    try {
      const others = await sessions.refresh();
      await api.post('/me/password', { current_password: fOld.input.value, new_password: fNew.input.value });
      fOld.input.value = '';
      fNew.input.value = '';
      await sessions.refresh();
      done.textContent = t(others ? 'account.password_changed_others' : 'account.password_changed');
    } catch (e) {
      showError(form, general, e instanceof ApiError ? e : null);
    }
  });
  return form;
}

// The session list and refresh(), which draws it again and answers how many other sessions there are.
async function sessionsCard() {
  let list;
  try {
    list = await api.get('/me/sessions');
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { card: null, refresh: async () => 0 };  // no session list here
    throw e;
  }
  const slot = el('div');
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const draw = (sessions) => {
    const others = sessions.filter((s) => !s.current);
    slot.replaceChildren(
      el('ul', { class: 'sessions' }, sessions.map((s) => el('li', {},
        el('strong', {}, s.current ? t('account.this_session') : (s.user_agent || t('account.unknown_browser'))),
        ` · ${[s.address, t('account.last_used', { time: formatTime(s.last_used_at || s.created_at) })].filter(Boolean).join(' · ')}`))),
      others.length ? confirmButton(t('account.sign_out_others'), t('account.sign_out_others_question'), async () => {
        try {
          await api.del('/me/sessions');
          status.textContent = t('account.signed_out_others');
          shown = (await api.get('/me/sessions')).data || [];
          draw(shown);
        } catch (e) { status.textContent = errorText(e); }
      }) : el('p', { class: 'muted' }, t('account.no_other_sessions')));
  };
  let shown = list.data || [];
  draw(shown);
  const card = el('section', { class: 'card', id: 'sessions', 'aria-label': t('account.sessions') },
    el('h2', {}, t('account.sessions')), status, slot);
  const refresh = async () => {
    try {
      shown = (await api.get('/me/sessions')).data || [];
      draw(shown);
    } catch (e) { status.textContent = errorText(e); }
    return shown.filter((x) => !x.current).length;
  };
  return { card, refresh };
}

export async function accountPage(main, ctx) {
  const me = await api.get('/me');
  const flash = sessionStorage.getItem('faxd.flash');
  sessionStorage.removeItem('faxd.flash');
  const sessions = await sessionsCard();
  main.replaceChildren(el('section', { class: 'page' },
    el('h1', {}, t('nav.account')),
    flash ? el('p', { class: 'notice', role: 'status' }, t(flash)) : null,
    el('p', { class: 'muted' }, t('account.intro', { username: me.username, role: t(`role.${me.role}`) })),
    settingsForm(me), passwordForm(sessions), sessions.card));
  void ctx;
}
