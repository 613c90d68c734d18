import { useEffect } from 'react';

/**
 * A table wider than the window (on a phone, most of them) scrolls inside itself; WCAG 2.1.1 asks
 * that the keyboard can scroll it too. Each table's scrolling region takes the focus while it is
 * wider than its box, and gives it up when it fits again (a wide window), so it adds no tab stop
 * where none is needed.
 */
export function useFocusableScrollRegions(): void {
  useEffect(() => {
    const mark = () => {
      for (const region of document.querySelectorAll<HTMLElement>('.baton-main .ant-table-content')) {
        const scrolls = region.scrollWidth > region.clientWidth + 1;
        if (scrolls && !region.hasAttribute('tabindex')) region.tabIndex = 0;
        else if (!scrolls && region.getAttribute('tabindex') === '0') region.removeAttribute('tabindex');
      }
    };
    // Tables come and go with the data and the page; attribute changes (our own) are not watched.
    const observer = new MutationObserver(mark);
    observer.observe(document.body, { childList: true, subtree: true });
    window.addEventListener('resize', mark);
    mark();
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', mark);
    };
  }, []);
}
