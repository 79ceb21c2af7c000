// Root layout: skip link, header, and the page.
import type { Metadata, Viewport } from 'next';
import { SiteHeader } from '@/components/site-header';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Captioner', template: '%s · Captioner' },
  description: 'Browse captioned images and judge two captioning models: Show and Tell vs Show, Attend and Tell.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#f6f5f2' };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <SiteHeader />
        <main id="main" className="page">
          {children}
        </main>
      </body>
    </html>
  );
}
