'use client';
// A header link that marks itself as the current page (aria-current) so both eyes and screen readers know.
import Link from 'next/link';
import { usePathname } from 'next/navigation';

export function NavLink({ href, children }: { href: string; children: React.ReactNode }) {
  const pathname = usePathname();
  const current = href === '/' ? pathname === '/' || pathname.startsWith('/images') : pathname.startsWith(href);
  return (
    <Link href={href} className="nav-link" aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}
