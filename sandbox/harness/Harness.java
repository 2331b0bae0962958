import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/*
 * Java judge harness and run bootstrap, started inside the jail as
 *   java Harness.java judge REPORT_FD     (payload JSON on stdin, same protocol as the others)
 *   java Harness.java run CODE            (compile CODE, run its main; exit 97 if it does not compile)
 * One JVM compiles the candidate's file in-process (javac is already warm: the source launcher
 * just used it for this file) and runs every test. It never sees expected values; the trusted
 * parent compares. The candidate's classes get their own loader whose parent is the platform
 * loader, so they cannot see or shadow this class by name.
 */
public class Harness {
    static final int COMPILE_ERROR_EXIT = 97;
    static final Pattern PUBLIC_TYPE = Pattern.compile(
        "public\\s+(?:(?:final|abstract|strictfp)\\s+)*(?:class|interface|enum|record)\\s+([A-Za-z_$][A-Za-z0-9_$]*)");

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("run")) {
            run(args[1]);
        } else if (args.length == 2 && args[0].equals("judge")) {
            judge(Integer.parseInt(args[1]));
        } else {
            System.err.println("usage: Harness (run CODE | judge FD)");
            System.exit(2);
        }
    }

    // ------------------------------------------------------------------ compile and load

    static String sourceName(String code) {
        Matcher m = PUBLIC_TYPE.matcher(code);
        return m.find() ? m.group(1) : "Solution";
    }

    /** Compiles `code` into /work/classes; returns javac's messages, or null when it compiled. */
    static String compile(String code) throws Exception {
        Path src = Path.of("src");
        Path out = Path.of("classes");
        Files.createDirectories(src);
        Files.createDirectories(out);
        Path file = src.resolve(sourceName(code) + ".java");
        Files.writeString(file, code, StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        var files = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        var units = files.getJavaFileObjects(file.toFile());
        List<String> options = List.of("-d", out.toString(), "-classpath", out.toString(),
            "-sourcepath", src.toString(), "-proc:none", "-nowarn", "-Xlint:none", "-encoding", "UTF-8",
            "-Xmaxerrs", "20");
        Boolean ok = javac.getTask(messages, files, null, options, null, units).call();
        files.close();
        if (Boolean.TRUE.equals(ok)) {
            return null;
        }
        String text = messages.toString().replace(src.toString() + File.separator, "");
        return text.isEmpty() ? "compilation failed\n" : text;
    }

    static ClassLoader loader() throws Exception {
        URL[] urls = {Path.of("classes").toAbsolutePath().toUri().toURL()};
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    // ------------------------------------------------------------------ plain run

    static void run(String code) throws Exception {
        String errors = compile(code);
        if (errors != null) {
            System.err.print(errors);
            System.err.flush();
            System.exit(COMPILE_ERROR_EXIT);
        }
        Method main = null;
        ClassLoader cl = loader();
        List<String> names = new ArrayList<>();
        names.add(sourceName(code));
        try (var listing = Files.list(Path.of("classes"))) {
            listing.map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(".class") && !n.contains("$"))
                .map(n -> n.substring(0, n.length() - 6)).sorted().forEach(names::add);
        }
        for (String name : names) {
            try {
                Method m = Class.forName(name, false, cl).getMethod("main", String[].class);
                if (Modifier.isStatic(m.getModifiers())) {
                    m.setAccessible(true); // `class Main` need not be public
                    main = m;
                    break;
                }
            } catch (ClassNotFoundException | NoSuchMethodException e) {
                // try the next class
            }
        }
        if (main == null) {
            System.err.println("Main.java: no class declares public static void main(String[] args)");
            System.exit(COMPILE_ERROR_EXIT);
        }
        try {
            main.invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException e) {
            System.err.print(describe(e.getCause()));
            System.err.flush();
            System.exit(1);
        }
    }

    // ------------------------------------------------------------------ judge

    static OutputStream report;
    static String head;
    static int outCap;
    static int keep;
    static int actualCap;
    static long used;
    static int current = -1;

    static void send(String body) {
        byte[] data = (head + "," + body + "}\n").getBytes(StandardCharsets.UTF_8);
        try {
            report.write(data);
            report.flush();
        } catch (Exception e) {
            Runtime.getRuntime().halt(3);
        }
    }

    static void record(Object... kv) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            Json.string((String) kv[i], sb);
            sb.append(':');
            Json.write(kv[i + 1], sb, 0);
        }
        send(sb.toString());
    }

    /** Candidate output: counted against the run's budget, the first `keep` chars kept per test. */
    static final class Sink extends OutputStream {
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            used += len;
            if (used > outCap) {
                String msg = "output limit exceeded (" + outCap + " bytes)";
                if (current < 0) {
                    record("k", "load_error", "error", "output_limit", "err", msg);
                } else {
                    record("k", "result", "i", current, "ok", false, "error", "output_limit", "err", msg);
                }
                Runtime.getRuntime().halt(0);
            }
            int room = Math.max(0, keep - kept.size());
            kept.write(b, off, Math.min(room, len));
        }

        String take() {
            String text = kept.toString(StandardCharsets.UTF_8);
            kept.reset();
            return text;
        }
    }

    static long maxRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // not available: report 0
        }
        return 0;
    }

    /** The exception and its causes, with only the candidate's frames (not the harness's). */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder("Exception in thread \"main\" ");
        for (int depth = 0; e != null && depth < 5; depth++, e = e.getCause()) {
            sb.append(depth == 0 ? "" : "Caused by: ").append(e).append('\n');
            int shown = 0;
            for (StackTraceElement f : e.getStackTrace()) {
                String cls = f.getClassName();
                if (cls.startsWith("Harness") || cls.startsWith("jdk.internal.") || cls.startsWith("java.lang.reflect.")
                    || shown++ >= 20) {
                    break;
                }
                sb.append("\tat ").append(f).append('\n');
            }
        }
        return sb.toString();
    }

    static String kindOf(Throwable e) {
        return e instanceof OutOfMemoryError ? "memory_limit" : "runtime_error";
    }

    /** The inherited report pipe belongs to the server's uid, so it cannot be reopened by path. */
    static FileDescriptor descriptor(int fd) throws Exception {
        if (fd == 1) {
            return FileDescriptor.out;
        }
        FileDescriptor d = new FileDescriptor();
        java.lang.reflect.Field field = FileDescriptor.class.getDeclaredField("fd");
        field.setAccessible(true); // --add-opens java.base/java.io on the command line
        field.setInt(d, fd);
        return d;
    }

    static void judge(int fd) throws Exception {
        report = new FileOutputStream(descriptor(fd));
        String input = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) new Json(input).value();
        StringBuilder h = new StringBuilder("\n{\"n\":");
        Json.string((String) payload.get("nonce"), h);
        head = h.toString();
        outCap = ((Number) payload.get("out_cap")).intValue();
        keep = ((Number) payload.get("keep")).intValue();
        actualCap = ((Number) payload.get("actual_cap")).intValue();
        String code = (String) payload.get("code");
        String entry = (String) payload.get("entry");
        List<?> tests = (List<?>) payload.get("tests");
        Sink out = new Sink();
        Sink err = new Sink();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));

        String errors = compile(code);
        if (errors != null) {
            record("k", "compile_error", "err", errors);
            Runtime.getRuntime().halt(0);
        }
        Class<?> cls;
        try {
            cls = Class.forName("Solution", true, loader());
        } catch (ClassNotFoundException e) {
            record("k", "compile_error", "err", "define a class named Solution with a method " + entry + "\n");
            Runtime.getRuntime().halt(0);
            return;
        } catch (Throwable e) {
            record("k", "load_error", "error", kindOf(e), "err", err.take() + describe(e));
            Runtime.getRuntime().halt(0);
            return;
        }
        List<Method> methods = new ArrayList<>();
        for (Method m : cls.getDeclaredMethods()) {
            if (m.getName().equals(entry) && !m.isSynthetic()) {
                m.setAccessible(true);
                methods.add(m);
            }
        }
        if (methods.isEmpty()) {
            record("k", "compile_error", "err", "class Solution must define a method named " + entry + "\n");
            Runtime.getRuntime().halt(0);
        }
        Thread worker = new Thread(null, () -> runTests(cls, methods, tests, out, err), "solution", 64L << 20);
        worker.start();
        worker.join();
        System.out.flush();
        record("k", "done");
        Runtime.getRuntime().halt(0);
    }

    static void runTests(Class<?> cls, List<Method> methods, List<?> tests, Sink out, Sink err) {
        for (int i = 0; i < tests.size(); i++) {
            current = i;
            out.take();
            err.take();
            List<?> args = (List<?>) tests.get(i);
            long t0 = System.nanoTime();
            try {
                Method method = pick(methods, args.size());
                Type[] types = method.getGenericParameterTypes();
                Object[] values = new Object[types.length];
                for (int j = 0; j < types.length; j++) {
                    values[j] = Convert.to(args.get(j), types[j]);
                }
                Object target = null;
                if (!Modifier.isStatic(method.getModifiers())) {
                    var ctor = cls.getDeclaredConstructor();
                    ctor.setAccessible(true);
                    target = ctor.newInstance();
                }
                t0 = System.nanoTime();
                Object value = method.invoke(target, values);
                double ms = (System.nanoTime() - t0) / 1e6;
                System.out.flush();
                System.err.flush();
                StringBuilder actual = new StringBuilder();
                Json.write(value, actual, 0);
                if (actual.length() > actualCap) {
                    record("k", "result", "i", i, "ok", false, "error", "output_limit", "ms", ms, "kb", maxRssKb(),
                        "err", "return value larger than " + actualCap + " bytes");
                    continue;
                }
                StringBuilder body = new StringBuilder();
                Object[] meta = {"k", "result", "i", i, "ok", true, "ms", ms, "kb", maxRssKb(),
                    "out", out.take(), "err", err.take()};
                for (int k = 0; k < meta.length; k += 2) {
                    Json.string((String) meta[k], body);
                    body.append(':');
                    Json.write(meta[k + 1], body, 0);
                    body.append(',');
                }
                body.append("\"a\":").append(actual);
                send(body.toString());
            } catch (Throwable e) {
                double ms = (System.nanoTime() - t0) / 1e6;
                Throwable cause = e instanceof InvocationTargetException && e.getCause() != null ? e.getCause() : e;
                System.out.flush();
                System.err.flush();
                record("k", "result", "i", i, "ok", false, "error", kindOf(cause), "ms", ms, "kb", maxRssKb(),
                    "out", out.take(), "err", err.take() + describe(cause));
            }
        }
    }

    static Method pick(List<Method> methods, int arity) {
        for (Method m : methods) {
            if (m.getParameterCount() == arity) {
                return m;
            }
        }
        throw new IllegalArgumentException("no method " + methods.get(0).getName() + " takes " + arity + " arguments");
    }

    // ------------------------------------------------------------------ JSON values ↔ Java types

    static final class Convert {
        static Object to(Object v, Type t) {
            if (t instanceof WildcardType w) {
                return to(v, w.getUpperBounds()[0]);
            }
            if (t instanceof ParameterizedType p) {
                Class<?> raw = (Class<?>) p.getRawType();
                Type[] a = p.getActualTypeArguments();
                if (Map.class.isAssignableFrom(raw)) {
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (var e : asMap(v).entrySet()) {
                        m.put(key(e.getKey(), a[0]), to(e.getValue(), a[1]));
                    }
                    return m;
                }
                if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
                    Collection<Object> c = collection(raw);
                    for (Object x : asList(v)) {
                        c.add(to(x, a[0]));
                    }
                    return c;
                }
                return to(v, raw);
            }
            Class<?> c = (Class<?>) t;
            if (v == null) {
                if (c.isPrimitive()) {
                    throw new IllegalArgumentException("null given for a " + c.getName() + " parameter");
                }
                return null;
            }
            if (c == int.class || c == Integer.class) {
                return Math.toIntExact(whole(v));
            }
            if (c == long.class || c == Long.class) {
                return whole(v);
            }
            if (c == double.class || c == Double.class) {
                return num(v).doubleValue();
            }
            if (c == float.class || c == Float.class) {
                return num(v).floatValue();
            }
            if (c == short.class || c == Short.class) {
                return (short) whole(v);
            }
            if (c == byte.class || c == Byte.class) {
                return (byte) whole(v);
            }
            if (c == boolean.class || c == Boolean.class) {
                if (v instanceof Boolean b) {
                    return b;
                }
                throw new IllegalArgumentException("expected a boolean, got " + v);
            }
            if (c == char.class || c == Character.class) {
                if (v instanceof String s && s.length() == 1) {
                    return s.charAt(0);
                }
                throw new IllegalArgumentException("expected a one-character string, got " + v);
            }
            if (c == String.class || c == CharSequence.class) {
                if (v instanceof String s) {
                    return s;
                }
                throw new IllegalArgumentException("expected a string, got " + v);
            }
            if (c.isArray()) {
                if (c == char[].class && v instanceof String s) {
                    return s.toCharArray();
                }
                List<?> list = asList(v);
                Object arr = Array.newInstance(c.getComponentType(), list.size());
                for (int i = 0; i < list.size(); i++) {
                    Array.set(arr, i, to(list.get(i), c.getComponentType()));
                }
                return arr;
            }
            if (Map.class.isAssignableFrom(c)) {
                return new LinkedHashMap<>(asMap(v));
            }
            if (Collection.class.isAssignableFrom(c)) {
                Collection<Object> col = collection(c);
                col.addAll(asList(v));
                return col;
            }
            if (c == Object.class || c == Number.class) {
                return natural(v);
            }
            throw new IllegalArgumentException("cannot pass a JSON value as " + c.getName());
        }

        static Object natural(Object v) {
            if (v instanceof Long n && n == n.intValue()) {
                return n.intValue();
            }
            return v;
        }

        static Object key(String k, Type t) {
            if (t == Integer.class) {
                return Integer.parseInt(k);
            }
            if (t == Long.class) {
                return Long.parseLong(k);
            }
            return k;
        }

        static Collection<Object> collection(Class<?> raw) {
            if (Set.class.isAssignableFrom(raw)) {
                return raw.isAssignableFrom(LinkedHashSet.class) ? new LinkedHashSet<>() : new HashSet<>();
            }
            if (raw == PriorityQueue.class) {
                return new PriorityQueue<>();
            }
            if (raw == LinkedList.class) {
                return new LinkedList<>();
            }
            if (Queue.class.isAssignableFrom(raw) && !raw.isAssignableFrom(ArrayList.class)) {
                return new ArrayDeque<>();
            }
            return new ArrayList<>();
        }

        static Number num(Object v) {
            if (v instanceof Number n) {
                return n;
            }
            throw new IllegalArgumentException("expected a number, got " + v);
        }

        static long whole(Object v) {
            Number n = num(v);
            if (n instanceof Double d) {
                if (d != Math.rint(d)) {
                    throw new IllegalArgumentException("expected an integer, got " + d);
                }
                return d.longValue();
            }
            return n.longValue();
        }

        static List<?> asList(Object v) {
            if (v instanceof List<?> l) {
                return l;
            }
            throw new IllegalArgumentException("expected a JSON array, got " + v);
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> asMap(Object v) {
            if (v instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw new IllegalArgumentException("expected a JSON object, got " + v);
        }
    }

    /** A small strict JSON reader and writer: the JDK ships none. */
    static final class Json {
        final String s;
        int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skip();
                    if (s.charAt(i) == '}') {
                        i++;
                        return m;
                    }
                    while (true) {
                        skip();
                        String k = str();
                        skip();
                        expect(':');
                        m.put(k, value());
                        skip();
                        if (s.charAt(i++) == '}') {
                            return m;
                        }
                    }
                }
                case '[': {
                    i++;
                    List<Object> l = new ArrayList<>();
                    skip();
                    if (s.charAt(i) == ']') {
                        i++;
                        return l;
                    }
                    while (true) {
                        l.add(value());
                        skip();
                        if (s.charAt(i++) == ']') {
                            return l;
                        }
                    }
                }
                case '"':
                    return str();
                case 't':
                    i += 4;
                    return Boolean.TRUE;
                case 'f':
                    i += 5;
                    return Boolean.FALSE;
                case 'n':
                    i += 4;
                    return null;
                default:
                    return number();
            }
        }

        void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        void expect(char c) {
            if (s.charAt(i++) != c) {
                throw new IllegalArgumentException("bad JSON at " + (i - 1));
            }
        }

        String str() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> sb.append(e);
                }
            }
        }

        Object number() {
            int start = i;
            boolean real = false;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                real |= ".eE".indexOf(s.charAt(i)) >= 0;
                i++;
            }
            String t = s.substring(start, i);
            if (!real) {
                try {
                    return Long.parseLong(t);
                } catch (NumberFormatException e) {
                    // too big for a long: fall through to double
                }
            }
            return Double.parseDouble(t);
        }

        static void string(String v, StringBuilder sb) {
            sb.append('"');
            for (int k = 0; k < v.length(); k++) {
                char c = v.charAt(k);
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20 || c > 0x7e) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            sb.append('"');
        }

        static void write(Object v, StringBuilder sb, int depth) {
            if (depth > 1000) {
                throw new IllegalArgumentException("return value nested too deeply");
            }
            if (sb.length() > actualCap + 16) {
                return; // the caller reports the size
            }
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof Short || v instanceof Byte) {
                sb.append(v);
            } else if (v instanceof Double || v instanceof Float) {
                double d = ((Number) v).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException("return value contains " + d);
                }
                sb.append(d);
            } else if (v instanceof Number n) {
                sb.append(n.toString());
            } else if (v instanceof String str) {
                string(str, sb);
            } else if (v instanceof Character ch) {
                string(String.valueOf(ch), sb);
            } else if (v instanceof char[] chars) {
                string(new String(chars), sb);
            } else if (v.getClass().isArray()) {
                sb.append('[');
                int n = Array.getLength(v);
                for (int k = 0; k < n; k++) {
                    if (k > 0) {
                        sb.append(',');
                    }
                    write(Array.get(v, k), sb, depth + 1);
                }
                sb.append(']');
            } else if (v instanceof Iterable<?> it) {
                sb.append('[');
                boolean first = true;
                for (Object x : it) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    write(x, sb, depth + 1);
                }
                sb.append(']');
            } else if (v instanceof Map<?, ?> m) {
                sb.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    string(String.valueOf(e.getKey()), sb);
                    sb.append(':');
                    write(e.getValue(), sb, depth + 1);
                }
                sb.append('}');
            } else {
                throw new IllegalArgumentException("cannot return a " + v.getClass().getName() + " as JSON");
            }
        }
    }
}
