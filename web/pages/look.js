// A brand's look (GET/PUT /brands/{id}/look): product name, logo, colours and the host names
// that show them, for the platform admin (from a brand's row) and the brand's own admins.
import { api, ApiError } from '../lib/api.js';
import { el, field, showError } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { loadBrand } from '../lib/brand.js';

const MAX_LOGO = 150 * 1024;  // bytes of the image file

// WCAG contrast of white on #rrggbb (faxd refuses less than 4.5:1 too).
export function contrastWithWhite(hex) {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 1.05 / (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] + 0.05);
}

export async function lookPage(main, ctx) {
  const me = ctx.me;
  const brandId = me.role === 'brand_admin' ? me.brand_id : ctx.params?.brand_id;
  if (!brandId) { location.replace('#/brands'); return; }
  const [brand, look] = await Promise.all([api.get(`/brands/${brandId}`), api.get(`/brands/${brandId}/look`)]);
  let logo = look.logo || '';
  const fName = field({ name: 'product_name', label: t('look.product_name'), value: look.product_name,
    hint: t('look.product_name_hint'), problem: t('problem.header') });
  const fHosts = field({ name: 'hosts', label: t('look.hosts'), value: (look.hosts || []).join(', '),
    hint: t('look.hosts_hint'), problem: t('look.hosts_problem'), attrs: { autocomplete: 'off', spellcheck: 'false' } });
  const fLogo = field({ name: 'logo', label: t('look.logo'), type: 'file', hint: t('look.logo_hint'),
    problem: t('look.logo_problem'), attrs: { accept: 'image/png,image/jpeg,image/svg+xml,image/webp' } });
  const fOwn = field({ name: 'own_colors', label: t('look.own_colors'), type: 'checkbox', value: !!(look.accent_color || look.header_color) });
  const fAccent = field({ name: 'accent_color', label: t('look.accent'), type: 'color', value: look.accent_color || '#1d5fd1',
    hint: t('look.color_hint'), problem: t('look.color_problem') });
  const fHeader = field({ name: 'header_color', label: t('look.header'), type: 'color', value: look.header_color || '#14213d',
    hint: t('look.color_hint'), problem: t('look.color_problem') });
  const logoPreview = el('img', { alt: '', class: 'logo' });
  const previewName = el('span');
  const preview = el('div', { class: 'look-preview', 'aria-hidden': 'true' }, logoPreview, previewName,
    el('span', { class: 'look-button' }, t('nav.send')));
  const removeLogo = el('button', { type: 'button', class: 'secondary' }, t('look.remove_logo'));
  const general = el('p', { class: 'error', role: 'alert' });
  const done = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const draw = () => {
    previewName.textContent = fName.input.value || 'faxd';
    logoPreview.hidden = !logo;
    if (logo) logoPreview.src = logo;
    removeLogo.hidden = !logo;
    const own = fOwn.input.checked;
    fAccent.wrap.hidden = !own;
    fHeader.wrap.hidden = !own;
    preview.style.setProperty('--header', own ? fHeader.input.value : '#14213d');
    preview.style.setProperty('--accent', own ? fAccent.input.value : '#1d5fd1');
  };
  removeLogo.addEventListener('click', () => { logo = ''; fLogo.input.value = ''; draw(); });
  fLogo.input.addEventListener('change', () => {
    const file = fLogo.input.files[0];
    if (!file) return;
    if (file.size > MAX_LOGO) { showError(form, general, { field: 'logo', key: 'look.logo_problem' }); return; }
    const reader = new FileReader();
    reader.onload = () => { logo = String(reader.result); draw(); };
    reader.readAsDataURL(file);
  });
  const form = el('form', { class: 'card form', id: 'look-form', 'aria-label': t('look.title'), novalidate: true },
    fName.wrap, fHosts.wrap, fLogo.wrap, el('div', { class: 'actions' }, removeLogo), fOwn.wrap, fAccent.wrap, fHeader.wrap,
    el('h2', {}, t('look.preview')), preview, general, done,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, t('form.save'))));
  form.addEventListener('input', draw);
  form.addEventListener('change', draw);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    done.textContent = '';
    const own = fOwn.input.checked;
    for (const f of [fAccent, fHeader]) {
      if (own && contrastWithWhite(f.input.value) < 4.5) {
        showError(form, general, { field: f.spec.name, key: 'look.color_problem' });
        return;
      }
    }
    try {
      await api.put(`/brands/${brandId}/look`, {
        product_name: fName.input.value.trim(),
        hosts: fHosts.input.value.split(/[\s,]+/).map((h) => h.trim()).filter(Boolean),
        logo,
        accent_color: own ? fAccent.input.value : '',
        header_color: own ? fHeader.input.value : '',
      });
      done.textContent = t('look.saved');
      await loadBrand();  // this host may be one of them
    } catch (e) { showError(form, general, e instanceof ApiError ? e : null); }
  });
  main.replaceChildren(el('section', { class: 'page' },
    me.role === 'platform_admin' ? el('p', {}, el('a', { href: '#/brands' }, `← ${t('nav.brands')}`)) : null,
    el('h1', {}, t('look.title_named', { name: brand.name })),
    el('p', { class: 'muted' }, t('look.intro')), form));
  draw();
}
