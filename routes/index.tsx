/** Placeholder home page; the messaging UI replaces this body. */
export default function Home() {
  return (
    <main>
      <h1>Realtime</h1>
      <p>
        See <a href="/about">about</a>.
      </p>
    </main>
  );
}
