import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'build/'] },
  js.configs.recommended,
  // Type-aware: floating promises, awaits of non-promises, unsafe any, misused spreads.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            '*.js',
            '__tests__/support/*.mjs',
            '__tests__/bench/*.mjs',
            '__tests__/support/fixtures/*.mjs'
          ]
        },
        tsconfigRootDir: import.meta.dirname
      },
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: 'error',
      'no-console': 'error'
    }
  },
  // One file, one job: the sizes CONTRIBUTING promises, checked.
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 300 }],
      'max-lines-per-function': ['error', { max: 60, IIFEs: true }]
    }
  },
  {
    files: ['__tests__/**', '.github/scripts/**', '.github/actions/**'],
    rules: {
      'no-console': 'off',
      // Test doubles are async to match the interfaces they stand in for.
      '@typescript-eslint/require-await': 'off',
      // Parsed YAML, JWT claims and the like are shown with String() on purpose.
      '@typescript-eslint/no-base-to-string': 'off'
    }
  },
  // Plain JavaScript (the preloads, the proxy server, this file): no types to check against.
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  // CommonJS (the shims of .github/unbundled): require and module are its globals.
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'readonly', exports: 'writable' }
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
)
