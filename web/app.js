// faxd web UI entry point: plain ES modules talking to the public REST API only.
import { api, ApiError } from './lib/api.js';

const main = document.getElementById('main');
const who = document.getElementById('who');

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function showLogin(message = '') {
  who.textContent = '';
  const err = el('p', { class: 'error', id: 'login-error', role: 'alert' }, message);
  const form = el('form', { class: 'card', id: 'login-form' },
    el('h1', {}, 'Log in to faxd'),
    el('label', { for: 'username' }, 'Username'),
    el('input', { id: 'username', name: 'username', autocomplete: 'username', required: '' }),
    el('label', { for: 'password' }, 'Password'),
    el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: '' }),
    err,
    el('button', { type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.login(form.username.value, form.password.value);
      start();
    } catch (e) {
      err.textContent = e instanceof ApiError ? e.message : 'Cannot reach faxd';
    }
  });
  main.replaceChildren(form);
  form.username.focus();
}

async function start() {
  try {
    const me = await api.get('/me');
    who.replaceChildren(el('span', {}, `${me.username} (${me.role.replace('_', ' ')}) `),
      el('button', { class: 'secondary', id: 'logout', onclick: async () => { await api.logout(); showLogin(); } }, 'Log out'));
    main.replaceChildren(el('section', { class: 'card' }, el('h1', {}, 'Welcome'),
      el('p', { class: 'muted' }, 'You are logged in.')));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showLogin();
    else main.replaceChildren(el('p', { class: 'error' }, 'faxd is not answering. Try again shortly.'));
  }
}

start();
