'use client';
// Where an admin enters the admin token for this tab (starting evaluation runs needs it); see lib/admin-token.ts.
import { useEffect, useState, type FormEvent } from 'react';
import { readAdminToken, storeAdminToken } from '@/lib/admin-token';

export function AdminTokenField() {
  const [stored, setStored] = useState(false);
  const [draft, setDraft] = useState('');
  useEffect(() => setStored(readAdminToken() !== null), []);

  const save = (event: FormEvent) => {
    event.preventDefault();
    const token = draft.trim();
    if (!token) return;
    storeAdminToken(token);
    setDraft('');
    setStored(true);
  };
  const forget = () => {
    storeAdminToken(null);
    setStored(false);
  };

  if (stored) {
    return (
      <p className="muted small">
        Admin token set for this tab.{' '}
        <button type="button" className="button button-quiet" onClick={forget}>
          Forget it
        </button>
      </p>
    );
  }
  return (
    <form className="admin-token" onSubmit={save}>
      <label htmlFor="admin-token" className="small">
        Starting runs is for admins: enter the admin token (printed by <code>npm start</code>, or the server&apos;s
        CAPTIONER_ADMIN_TOKEN). It stays in this tab only.
      </label>
      <input
        id="admin-token"
        type="password"
        autoComplete="off"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit" className="button">
        Use token
      </button>
    </form>
  );
}
