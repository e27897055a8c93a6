// The brand's own look, chosen by faxd from the host name the browser asked for (GET
// /api/v1/branding, public, so the login page has it too): product name in the header and the
// title, logo, accent and header colours (CSS custom properties, set through the CSSOM, which
// the CSP allows). faxd refuses colours white text cannot be read on.
import { el } from './dom.js';

let look = { product_name: '', logo: '', accent_color: '', header_color: '' };

export function productName() {
  return look.product_name || 'faxd';
}

export async function loadBrand() {
  try {
    const res = await fetch('/api/v1/branding', { credentials: 'same-origin' });
    if (res.ok) look = { ...look, ...(await res.json()) };
  } catch { /* faxd's own look */ }
  applyBrand();
  return look;
}

export function applyBrand() {
  const root = document.documentElement.style;
  if (look.accent_color) root.setProperty('--accent', look.accent_color);
  else root.removeProperty('--accent');
  if (look.header_color) root.setProperty('--header', look.header_color);
  else root.removeProperty('--header');
  const home = document.querySelector('.top .brand');
  if (home) {
    home.replaceChildren(...[
      look.logo ? el('img', { src: look.logo, alt: '', class: 'logo' }) : null,
      el('span', {}, productName())].filter(Boolean));
  }
}

// "Page · Product" for document.title.
export function titled(page) {
  return page ? `${page} · ${productName()}` : productName();
}
