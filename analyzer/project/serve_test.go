package project

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServerOf(t *testing.T) {
	for cmd, want := range map[string]string{
		"python manage.py runserver 0.0.0.0:8000":                        "runserver",
		`sh -c "python manage.py migrate && ./manage.py runserver_plus"`: "runserver",
		"django-admin runserver --settings=shop.settings":                "runserver",
		"gunicorn shop.wsgi:application --bind 0.0.0.0:8000":             "gunicorn",
		"/venv/bin/uvicorn shop.asgi:application":                        "uvicorn",
		"python -m gunicorn shop.wsgi":                                   "gunicorn",
		"python manage.py migrate":                                       "",
		"echo runserver":                                                 "",
		"celery -A shop worker -l info":                                  "",
	} {
		assert.Equal(t, want, serverOf(cmd), cmd)
	}
}

// The final stage's CMD and ENTRYPOINT are read, inherited from the stage
// it is built on; an ENTRYPOINT of manage.py and a CMD of runserver are
// read together.
func TestDockerfileCommands(t *testing.T) {
	got := dockerfileCommands("FROM python:3.12 AS base\nENTRYPOINT [\"./manage.py\"]\nCMD [\"runserver\", \"0.0.0.0:8000\"]\n\nFROM base AS final\nRUN pip install -r requirements.txt\n")
	require.Len(t, got, 3)
	assert.Equal(t, ServeCommand{Line: 3, Text: "./manage.py runserver 0.0.0.0:8000", Server: "runserver", Where: "CMD"}, got[2])

	got = dockerfileCommands("FROM python:3.12 AS build\nCMD python manage.py runserver\nFROM python:3.12-slim\nCMD gunicorn \\\n  shop.wsgi\n")
	require.Len(t, got, 1)
	assert.Equal(t, ServeCommand{Line: 4, Text: "gunicorn shop.wsgi", Server: "gunicorn", Where: "CMD"}, got[0], "a new stage from an image runs only its own")
}

func TestComposeCommands(t *testing.T) {
	got := composeCommands("services:\n  web:\n    command: [\"python\", \"manage.py\", \"runserver\"]\n  worker:\n    entrypoint: celery -A shop worker\n")
	require.Len(t, got, 2)
	assert.Equal(t, ServeCommand{Line: 3, Text: "python manage.py runserver", Server: "runserver", Where: "the `web` service"}, got[0])
	assert.Equal(t, "", got[1].Server)
	assert.Nil(t, composeCommands("services: [unclosed"), "a file that is no YAML reads as nothing")
}

func TestDevFileName(t *testing.T) {
	for rel, want := range map[string]bool{
		"docker-compose.dev.yml": true, "docker-compose.override.yml": true, "Dockerfile.local": true,
		"deploy/start-dev.sh": true, "docker-compose.development.yaml": true, "docker-compose.yml": false,
		"Dockerfile": false, "docker-entrypoint.sh": false, "compose.prod.yaml": false,
		"docker/dev/django/entrypoint.sh": true, "compose/local/django/start": true, "deploy/production/start.sh": false,
		"devtools/start.sh": false,
	} {
		assert.Equal(t, want, devFileName(rel), rel)
	}
}

func TestDevHeader(t *testing.T) {
	assert.True(t, devHeader("# This Dockerfile is intended solely for local development of the app\n# For production use the chart\nFROM python:3.12\n"))
	assert.True(t, devHeader("#!/bin/sh\n\n# Development only: reloads on change\nexec python manage.py runserver\n"))
	assert.False(t, devHeader("FROM python:3.12\n# for development, mount the code\nCMD python manage.py runserver\n"), "only the leading comments count")
	assert.False(t, devHeader("# Build the image\nFROM python:3.12\n"))
}
