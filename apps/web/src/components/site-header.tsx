// The top bar on every page: brand and the main sections.
import Link from 'next/link';
import { NavLink } from './nav-link';

export function SiteHeader() {
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/" className="brand" aria-label="Captioner, home">
          <span className="brand-mark" aria-hidden="true" />
          Captioner
        </Link>
        <nav aria-label="Main">
          <ul className="nav-list">
            <li>
              <NavLink href="/">Gallery</NavLink>
            </li>
            <li>
              <NavLink href="/compare">Compare</NavLink>
            </li>
            <li>
              <NavLink href="/upload">Upload</NavLink>
            </li>
            <li>
              <NavLink href="/leaderboard">Leaderboard</NavLink>
            </li>
            <li>
              <NavLink href="/evaluations">Evaluations</NavLink>
            </li>
          </ul>
        </nav>
      </div>
    </header>
  );
}
