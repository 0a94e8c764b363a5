import { cacheLife } from 'next/cache';

// finding: cache-without-cachelife — cached with the default lifetime, silently
async function getProducts() {
  'use cache'
  const res = await fetch('https://api.example.com/products');
  return res.json();
}

// near miss: the lifetime is set
async function getCategories() {
  'use cache'
  cacheLife('days')
  const res = await fetch('https://api.example.com/categories');
  return res.json();
}

export default async function Page() {
  const note = 'use cache';
  const [products, categories] = await Promise.all([getProducts(), getCategories()]);
  return (
    <main>
      <p>{note}</p>
      <pre>{JSON.stringify({ products, categories })}</pre>
    </main>
  );
}
