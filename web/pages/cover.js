// A company's cover page template (GET/PUT /companies/{id}/cover-template): title, company name
// and details, footer and a PNG logo, for the company's admins (from the menu) and its brand's or
// the platform's admins (from the company's row, #/cover?company_id=ID). "Preview" sends a blank
// one-page sample with cover fields through POST /faxes/preview, which draws the saved template.
import { api, ApiError } from '../lib/api.js';
import { el, field, showError, formatBytes } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

const MAX_LOGO = 256 * 1024;  // bytes of the PNG file (the API's limit)
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// A valid blank one-page A4 PDF: the document under the sample cover.
function blankPdf() {
  const objs = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>', '<< /Length 0 >>\nstream\n\nendstream'];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Blob([out], { type: 'application/pdf' });
}

// The sample fax through the preview, from one of the company's virtual faxes.
function previewPanel(companyId, vfaxes, fail) {
  const out = el('div', { class: 'thumbs cover-preview', 'aria-live': 'polite' });
  if (!vfaxes.length) return el('fieldset', {}, el('legend', {}, t('cover.preview')), el('p', { class: 'hint' }, t('cover.preview_no_vfax')));
  const button = el('button', { type: 'button', class: 'secondary', id: 'cover-preview' }, t('cover.preview'));
  button.addEventListener('click', async () => {
    out.replaceChildren();
    const body = new FormData();
    body.append('virtual_fax_id', vfaxes[0].id);
    body.append('quality', 'standard');
    body.append('cover_to', t('cover.sample_to'));
    body.append('cover_subject', t('cover.sample_subject'));
    body.append('file', blankPdf(), 'sample.pdf');
    out.setAttribute('aria-busy', 'true');
    try {
      const p = await api.post('/faxes/preview', body);
      if (p.thumbnails.length) out.replaceChildren(el('img', { src: p.thumbnails[0], alt: t('cover.preview_alt'), class: 'cover-thumb' }));
    } catch (e) { fail(e); } finally { out.removeAttribute('aria-busy'); }
  });
  return el('fieldset', {}, el('legend', {}, t('cover.preview')), el('p', { class: 'hint' }, t('cover.preview_hint')),
    el('div', { class: 'actions' }, button), out);
}

export async function coverPage(main, ctx) {
  const me = ctx.me;
  const companyId = me.role === 'company_admin' ? me.company_id : ctx.params?.company_id;
  if (!companyId) { location.replace('#/companies'); return; }
  const [company, cover, vfaxes] = await Promise.all([api.get(`/companies/${companyId}`),
    api.get(`/companies/${companyId}/cover-template`), api.all('/virtual-faxes', { company_id: companyId })]);
  let logo = cover.logo || null;
  const fTitle = field({ name: 'title', label: t('cover.title_field'), value: cover.title, hint: t('cover.title_hint'), problem: t('cover.line_problem') });
  const fName = field({ name: 'company_name', label: t('cover.company_name'), value: cover.company_name,
    hint: t('cover.company_name_hint'), problem: t('cover.line_problem') });
  const fDetails = field({ name: 'company_details', label: t('cover.company_details'), type: 'textarea', value: cover.company_details,
    attrs: { rows: 3 }, hint: t('cover.company_details_hint'), problem: t('cover.lines_problem') });
  const fFooter = field({ name: 'footer', label: t('cover.footer'), type: 'textarea', value: cover.footer,
    attrs: { rows: 2 }, hint: t('cover.footer_hint'), problem: t('cover.lines_problem') });
  const fLogo = field({ name: 'logo', label: t('cover.logo'), type: 'file', hint: t('cover.logo_hint'),
    problem: t('cover.logo_problem'), attrs: { accept: 'image/png' } });
  const logoInfo = el('p', { class: 'hint', id: 'cover-logo-info', 'aria-live': 'polite' });
  const logoImg = el('img', { alt: t('cover.logo_alt'), class: 'cover-logo' });
  const removeLogo = el('button', { type: 'button', class: 'secondary' }, t('cover.remove_logo'));
  const general = el('p', { class: 'error', role: 'alert' });
  const done = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const draw = (info = '') => {
    logoImg.hidden = !logo;
    if (logo) logoImg.src = logo;
    removeLogo.hidden = !logo;
    logoInfo.textContent = info || (logo ? t('cover.logo_saved') : t('cover.no_logo'));
  };
  const refuse = (key, vars) => {
    fLogo.input.value = '';
    showError(form, general, { field: 'logo', key, vars });
  };
  removeLogo.addEventListener('click', () => { logo = null; fLogo.input.value = ''; draw(); });
  fLogo.input.addEventListener('change', async () => {
    const file = fLogo.input.files[0];
    if (!file) return;
    const size = formatBytes(file.size);
    const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
    if (!PNG_MAGIC.every((b, i) => head[i] === b)) { refuse('cover.logo_not_png', { file: file.name }); return; }
    if (file.size > MAX_LOGO) { refuse('cover.logo_too_big', { file: file.name, size }); return; }
    const reader = new FileReader();
    reader.onload = () => { logo = String(reader.result); draw(t('cover.logo_chosen', { file: file.name, size })); };
    reader.readAsDataURL(file);
  });
  const form = el('form', { class: 'card form', id: 'cover-form', 'aria-label': t('cover.title'), novalidate: true },
    fTitle.wrap, fName.wrap, fDetails.wrap, fFooter.wrap, fLogo.wrap, logoInfo, logoImg, el('div', { class: 'actions' }, removeLogo),
    general, done, el('div', { class: 'actions' }, el('button', { type: 'submit' }, t('form.save'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    done.textContent = '';
    try {
      const saved = await api.put(`/companies/${companyId}/cover-template`, {
        title: fTitle.input.value.trim(), company_name: fName.input.value.trim(),
        company_details: fDetails.input.value.trim(), footer: fFooter.input.value.trim(), logo });
      logo = saved.logo;
      fLogo.input.value = '';
      draw();
      done.textContent = t('cover.saved');
    } catch (e) { showError(form, general, e instanceof ApiError ? e : null); }
  });
  main.replaceChildren(el('section', { class: 'page' },
    me.role !== 'company_admin' ? el('p', {}, el('a', { href: `#/companies?brand_id=${company.brand_id}` }, `← ${t('nav.companies')}`)) : null,
    el('h1', { id: 'cover-heading' }, t('cover.title_named', { name: company.name })),
    el('p', { class: 'muted' }, t('cover.intro')), form,
    previewPanel(companyId, vfaxes, (e) => showError(form, general, e instanceof ApiError ? e : null))));
  draw();
}
